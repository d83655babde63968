using AiAgent.CallSim.Protocol;

namespace AiAgent.CallSim.Audio;

/// <summary>
/// The audio format of a simulated call: signed 16-bit little-endian mono PCM at one of the rates AudioSocket can
/// label (PROTOCOLS.md 1.3), with its kind byte and the size of one 20 ms frame.
/// </summary>
public readonly record struct CallFormat(string Name, byte Kind, int SampleRate)
{
    /// <summary>Packetization Asterisk uses on an ordinary channel.</summary>
    public const int FrameMilliseconds = 20;

    /// <summary>Frames per second at <see cref="FrameMilliseconds"/>.</summary>
    public const int FramesPerSecond = 1000 / FrameMilliseconds;

    /// <summary>slin, 8 kHz, kind 0x10: what the dialplan application always uses.</summary>
    public static readonly CallFormat Slin = new("slin", AudioSocketKind.Audio, 8_000);

    /// <summary>Every format by name, in kind order.</summary>
    public static IReadOnlyList<CallFormat> All { get; } =
    [
        Slin,
        new("slin12", AudioSocketKind.AudioSlin12, 12_000),
        new("slin16", AudioSocketKind.AudioSlin16, 16_000),
        new("slin24", AudioSocketKind.AudioSlin24, 24_000),
        new("slin32", AudioSocketKind.AudioSlin32, 32_000),
        new("slin44", AudioSocketKind.AudioSlin44, 44_100),
        new("slin48", AudioSocketKind.AudioSlin48, 48_000),
        new("slin96", AudioSocketKind.AudioSlin96, 96_000),
        new("slin192", AudioSocketKind.AudioSlin192, 192_000),
    ];

    /// <summary>Samples in one 20 ms frame (every AudioSocket rate is a multiple of 50 Hz).</summary>
    public int SamplesPerFrame => SampleRate / FramesPerSecond;

    /// <summary>Bytes in one 20 ms frame: 320 for slin, 640 for slin16, 1764 for slin44 ...</summary>
    public int FrameBytes => SamplesPerFrame * 2;

    /// <summary>Bytes in one second.</summary>
    public int BytesPerSecond => SampleRate * 2;

    /// <summary>Finds a format by its Asterisk name (<c>slin</c>, <c>slin16</c> ...), case-insensitively.</summary>
    public static bool TryParse(string name, out CallFormat format)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(candidate.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                format = candidate;
                return true;
            }
        }

        format = default;
        return false;
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({SampleRate} Hz, kind 0x{Kind:X2}, {FrameBytes} bytes/20 ms)";
}
