using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// The kind byte of an AudioSocket frame (Asterisk <c>enum ast_audiosocket_msg_kind</c>, docs/protocols/audiosocket.md).
/// </summary>
public enum AudioSocketKind : byte
{
    /// <summary>End of session, payload ignored. Asterisk never sends it (it closes the socket); we send <c>00 00 00</c>.</summary>
    Hangup = 0x00,

    /// <summary>The call id: 16 bytes of RFC 4122 (big-endian) UUID. Always the first frame from Asterisk.</summary>
    Uuid = 0x01,

    /// <summary>One DTMF digit (ASCII <c>0-9 * # A-D</c>), sent by Asterisk on digit end.</summary>
    Dtmf = 0x03,

    /// <summary>slin, 8 kHz, s16le mono; also Asterisk's label for every non-slin format and for all audio before 20.17/21.12/22.7/23.1.</summary>
    Slin8 = 0x10,

    /// <summary>slin 12 kHz.</summary>
    Slin12 = 0x11,

    /// <summary>slin 16 kHz.</summary>
    Slin16 = 0x12,

    /// <summary>slin 24 kHz.</summary>
    Slin24 = 0x13,

    /// <summary>slin 32 kHz.</summary>
    Slin32 = 0x14,

    /// <summary>slin 44.1 kHz.</summary>
    Slin44 = 0x15,

    /// <summary>slin 48 kHz.</summary>
    Slin48 = 0x16,

    /// <summary>slin 96 kHz.</summary>
    Slin96 = 0x17,

    /// <summary>slin 192 kHz.</summary>
    Slin192 = 0x18,

    /// <summary>Error, with an optional one-byte code. No Asterisk code path sends it; parsed for forks and future versions.</summary>
    Error = 0xFF,
}

/// <summary>Facts about <see cref="AudioSocketKind"/> values.</summary>
public static class AudioSocketKinds
{
    /// <summary>True for the audio kinds 0x10-0x18.</summary>
    public static bool IsAudio(this AudioSocketKind kind) => kind is >= AudioSocketKind.Slin8 and <= AudioSocketKind.Slin192;

    /// <summary>True for every kind this protocol defines (0x02, Go's "silence", is not one: Asterisk rejects it).</summary>
    public static bool IsDefined(this AudioSocketKind kind) =>
        kind is AudioSocketKind.Hangup or AudioSocketKind.Uuid or AudioSocketKind.Dtmf or AudioSocketKind.Error || kind.IsAudio();

    /// <summary>The sample rate an audio kind labels, or 0 for other kinds.</summary>
    public static int SampleRateOf(this AudioSocketKind kind) => kind switch
    {
        AudioSocketKind.Slin8 => 8_000,
        AudioSocketKind.Slin12 => 12_000,
        AudioSocketKind.Slin16 => 16_000,
        AudioSocketKind.Slin24 => 24_000,
        AudioSocketKind.Slin32 => 32_000,
        AudioSocketKind.Slin44 => 44_100,
        AudioSocketKind.Slin48 => 48_000,
        AudioSocketKind.Slin96 => 96_000,
        AudioSocketKind.Slin192 => 192_000,
        _ => 0,
    };

    /// <summary>
    /// The kind Asterisk uses for <paramref name="format"/>: the slin rates map to 0x10-0x18 and every other
    /// format (µ-law, A-law) falls back to 0x10, as in <c>ast_audiosocket_send_frame</c>.
    /// </summary>
    public static AudioSocketKind KindOf(AudioFormat format)
    {
        if (format.Encoding != AudioEncoding.Pcm16)
        {
            return AudioSocketKind.Slin8;
        }

        return format.SampleRate switch
        {
            12_000 => AudioSocketKind.Slin12,
            16_000 => AudioSocketKind.Slin16,
            24_000 => AudioSocketKind.Slin24,
            32_000 => AudioSocketKind.Slin32,
            44_100 => AudioSocketKind.Slin44,
            48_000 => AudioSocketKind.Slin48,
            96_000 => AudioSocketKind.Slin96,
            192_000 => AudioSocketKind.Slin192,
            _ => AudioSocketKind.Slin8,
        };
    }

    /// <summary>The slin format an explicit sample-rate kind (0x11-0x18) labels, or null for 0x10 and non-audio kinds.</summary>
    /// <remarks>0x10 is ambiguous (older Asterisk labels every format 0x10), so only configuration can say what it carries.</remarks>
    public static AudioFormat? ExplicitFormatOf(AudioSocketKind kind) =>
        kind is > AudioSocketKind.Slin8 and <= AudioSocketKind.Slin192
            ? new AudioFormat(AudioEncoding.Pcm16, kind.SampleRateOf())
            : null;
}
