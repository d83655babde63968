namespace AiAgent.Emulators.Ari;

/// <summary>A caller placed into <c>Stasis(app, args…)</c> by <see cref="AriEmulator.PlaceCallAsync"/>.</summary>
public sealed class AriCallOptions
{
    /// <summary>The dialplan context the caller runs in (recorded calls: <c>ari</c>).</summary>
    public string Context { get; set; } = "ari";

    /// <summary>The extension (recorded calls: <c>300</c>).</summary>
    public string Extension { get; set; } = "300";

    /// <summary>Caller id number (personal data in real life).</summary>
    public string CallerNumber { get; set; } = string.Empty;

    /// <summary>Caller id name.</summary>
    public string CallerName { get; set; } = string.Empty;

    /// <summary>
    /// What the caller says once bridged with an external-media channel: s16le mono PCM at that channel's rate (8 kHz
    /// for <c>slin</c>, 16 kHz for <c>slin16</c>), paced at 20 ms; silence after it (and when empty).
    /// </summary>
    public ReadOnlyMemory<byte> Audio { get; set; }

    /// <summary>
    /// A caller driven frame by frame (<see cref="IAriCallerAudio"/>); when set, <see cref="Audio"/> and
    /// <see cref="AriEmulatorCall.Say"/> are not used.
    /// </summary>
    public IAriCallerAudio? Caller { get; set; }

    /// <summary>
    /// The format of <see cref="Caller"/>'s frames (default <c>slin16</c>, the platform's external-media format). The
    /// emulator does not transcode: a frame goes only to legs of the same frame size.
    /// </summary>
    public string CallerFormat { get; set; } = "slin16";
}
