namespace AiAgent.Grains.Interfaces.Audio;

/// <summary>How samples are coded on the wire.</summary>
public enum AudioEncoding
{
    /// <summary>Signed 16-bit little-endian linear PCM (Asterisk "slin", OpenAI "audio/pcm", Deepgram "linear16").</summary>
    Pcm16 = 0,

    /// <summary>ITU-T G.711 µ-law, one byte per sample.</summary>
    Mulaw = 1,

    /// <summary>ITU-T G.711 A-law, one byte per sample.</summary>
    Alaw = 2,
}

/// <summary>
/// An audio format shared by the gateway, the grains and the providers. Immutable value: compare with ==.
/// </summary>
[GenerateSerializer, Immutable, Alias("AiAgent.AudioFormat")]
public readonly record struct AudioFormat(
    [property: Id(0)] AudioEncoding Encoding,
    [property: Id(1)] int SampleRate,
    [property: Id(2)] int Channels = 1)
{
    /// <summary>Asterisk's default: slin, 8 kHz (AudioSocket kind 0x10).</summary>
    public static readonly AudioFormat Slin8 = new(AudioEncoding.Pcm16, 8_000);

    /// <summary>slin16 (AudioSocket kind 0x12).</summary>
    public static readonly AudioFormat Slin16 = new(AudioEncoding.Pcm16, 16_000);

    /// <summary>slin24 / OpenAI "audio/pcm" (AudioSocket kind 0x13).</summary>
    public static readonly AudioFormat Slin24 = new(AudioEncoding.Pcm16, 24_000);

    /// <summary>slin48 (AudioSocket kind 0x16).</summary>
    public static readonly AudioFormat Slin48 = new(AudioEncoding.Pcm16, 48_000);

    /// <summary>G.711 µ-law at 8 kHz (OpenAI "audio/pcmu", Deepgram "mulaw").</summary>
    public static readonly AudioFormat Mulaw8 = new(AudioEncoding.Mulaw, 8_000);

    /// <summary>G.711 A-law at 8 kHz (OpenAI "audio/pcma", Deepgram "alaw").</summary>
    public static readonly AudioFormat Alaw8 = new(AudioEncoding.Alaw, 8_000);

    /// <summary>Bytes per sample of one channel.</summary>
    public int BytesPerSample => Encoding == AudioEncoding.Pcm16 ? 2 : 1;

    /// <summary>Bytes per sample across all channels.</summary>
    public int BlockAlign => BytesPerSample * Channels;

    /// <summary>Bytes per second of audio.</summary>
    public int BytesPerSecond => SampleRate * BlockAlign;

    /// <summary>Bytes holding <paramref name="duration"/> of audio, rounded down to whole samples.</summary>
    public int BytesFor(TimeSpan duration) =>
        checked((int)(SampleRate * duration.Ticks / TimeSpan.TicksPerSecond) * BlockAlign);

    /// <summary>Duration of <paramref name="byteCount"/> bytes of audio.</summary>
    public TimeSpan DurationOf(long byteCount) =>
        TimeSpan.FromTicks(byteCount / BlockAlign * TimeSpan.TicksPerSecond / SampleRate);

    /// <summary>Whole milliseconds of audio in <paramref name="byteCount"/> bytes.</summary>
    public long MillisecondsOf(long byteCount) => byteCount / BlockAlign * 1000 / SampleRate;

    /// <summary>True for the formats this platform can code and resample.</summary>
    public bool IsSupported =>
        Channels == 1 && SampleRate > 0 &&
        Encoding is AudioEncoding.Pcm16 or AudioEncoding.Mulaw or AudioEncoding.Alaw &&
        (Encoding == AudioEncoding.Pcm16 || SampleRate == 8_000);

    /// <inheritdoc/>
    public override string ToString() => Encoding switch
    {
        AudioEncoding.Pcm16 => $"slin{(SampleRate == 8_000 ? "" : (SampleRate / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture))}@{SampleRate}",
        AudioEncoding.Mulaw => $"ulaw@{SampleRate}",
        AudioEncoding.Alaw => $"alaw@{SampleRate}",
        _ => $"{Encoding}@{SampleRate}",
    };
}
