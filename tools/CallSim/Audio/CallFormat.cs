using AiAgent.CallSim.Protocol;

namespace AiAgent.CallSim.Audio;

/// <summary>What the bytes of a call's audio frames are.</summary>
public enum CallEncoding
{
    /// <summary>Signed 16-bit little-endian PCM.</summary>
    Slin,

    /// <summary>G.711 µ-law, one byte per sample.</summary>
    Ulaw,

    /// <summary>G.711 A-law, one byte per sample.</summary>
    Alaw,
}

/// <summary>
/// The audio format of a simulated call: signed 16-bit little-endian mono PCM at one of the rates AudioSocket can
/// label (docs/protocols/audiosocket.md#frame-kinds), or G.711 at 8 kHz as a <c>c(ulaw)</c>/<c>c(alaw)</c> channel sends it (labelled 0x10,
/// Asterisk's fallback for every non-slin format), with its kind byte and the size of one 20 ms frame.
/// </summary>
public readonly record struct CallFormat(string Name, byte Kind, int SampleRate, CallEncoding Encoding = CallEncoding.Slin)
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
        new("ulaw", AudioSocketKind.Audio, 8_000, CallEncoding.Ulaw),
        new("alaw", AudioSocketKind.Audio, 8_000, CallEncoding.Alaw),
    ];

    /// <summary>Bytes per sample: 2 for slin, 1 for G.711.</summary>
    public int BytesPerSample => Encoding == CallEncoding.Slin ? 2 : 1;

    /// <summary>The byte of digital silence: 0x00 for slin, 0xFF for µ-law, 0xD5 for A-law.</summary>
    public byte SilenceByte => Encoding switch
    {
        CallEncoding.Ulaw => 0xFF,
        CallEncoding.Alaw => 0xD5,
        _ => 0x00,
    };

    /// <summary>
    /// The format Asterisk reads the server's 0x10 replies in for a call of this format: slin 8 kHz, since it
    /// decodes every 0x10 frame it receives as slin (a G.711 call is answered in slin).
    /// </summary>
    public bool RepliesInSlin8 => Encoding != CallEncoding.Slin;

    /// <summary>Samples in one 20 ms frame (every AudioSocket rate is a multiple of 50 Hz).</summary>
    public int SamplesPerFrame => SampleRate / FramesPerSecond;

    /// <summary>Bytes in one 20 ms frame: 320 for slin, 640 for slin16, 1764 for slin44, 160 for ulaw ...</summary>
    public int FrameBytes => SamplesPerFrame * BytesPerSample;

    /// <summary>Bytes in one second.</summary>
    public int BytesPerSecond => SampleRate * BytesPerSample;

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
    public override string ToString() => $"{Name} ({SampleRate} Hz{(Encoding == CallEncoding.Slin ? "" : $" {Encoding}")}, kind 0x{Kind:X2}, {FrameBytes} bytes/20 ms)";
}
