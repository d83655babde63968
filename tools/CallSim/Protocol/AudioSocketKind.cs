namespace AiAgent.CallSim.Protocol;

/// <summary>
/// AudioSocket message kinds (Asterisk <c>include/asterisk/res_audiosocket.h</c>; docs/protocols/audiosocket.md#frame-kinds).
/// </summary>
public static class AudioSocketKind
{
    /// <summary>Hangup, no payload. Asterisk never sends it; it accepts it from the server as a graceful end.</summary>
    public const byte Hangup = 0x00;

    /// <summary>The call UUID: 16 bytes in RFC 4122 (big-endian) order, always the first frame from Asterisk.</summary>
    public const byte Uuid = 0x01;

    /// <summary>Silence (Go library only); Asterisk does not accept it.</summary>
    public const byte Silence = 0x02;

    /// <summary>One DTMF digit as one ASCII byte (Asterisk 20.14+), sent on digit end.</summary>
    public const byte Dtmf = 0x03;

    /// <summary>slin 8 kHz; also the label older Asterisk puts on every audio frame whatever its rate.</summary>
    public const byte Audio = 0x10;

    /// <summary>slin 12 kHz. 0x11..0x18 arrived in Asterisk 20.17 / 21.12 / 22.7 / 23.1.</summary>
    public const byte AudioSlin12 = 0x11;

    /// <summary>slin 16 kHz.</summary>
    public const byte AudioSlin16 = 0x12;

    /// <summary>slin 24 kHz.</summary>
    public const byte AudioSlin24 = 0x13;

    /// <summary>slin 32 kHz.</summary>
    public const byte AudioSlin32 = 0x14;

    /// <summary>slin 44.1 kHz.</summary>
    public const byte AudioSlin44 = 0x15;

    /// <summary>slin 48 kHz.</summary>
    public const byte AudioSlin48 = 0x16;

    /// <summary>slin 96 kHz.</summary>
    public const byte AudioSlin96 = 0x17;

    /// <summary>slin 192 kHz.</summary>
    public const byte AudioSlin192 = 0x18;

    /// <summary>Error with an optional code byte; no Asterisk code path sends it, and Asterisk does not accept it.</summary>
    public const byte Error = 0xFF;

    /// <summary>True for the audio kinds 0x10..0x18.</summary>
    public static bool IsAudio(byte kind) => kind is >= Audio and <= AudioSlin192;

    /// <summary>A short human name for reports, e.g. <c>0x03 (DTMF)</c>.</summary>
    public static string Describe(byte kind) => kind switch
    {
        Hangup => "0x00 (hangup)",
        Uuid => "0x01 (UUID)",
        Silence => "0x02 (silence)",
        Dtmf => "0x03 (DTMF)",
        Error => "0xFF (error)",
        _ when IsAudio(kind) => $"0x{kind:X2} (audio)",
        _ => $"0x{kind:X2} (unknown)",
    };
}
