using AiAgent.Emulators.Common;

namespace AiAgent.Emulators.OpenAIRealtime;

/// <summary>The OpenAI Realtime GA audio formats the emulator speaks.</summary>
public enum RealtimeAudioFormatType
{
    /// <summary><c>{"type":"audio/pcm","rate":24000}</c>: PCM16 LE mono, 24 kHz.</summary>
    Pcm24k,

    /// <summary><c>{"type":"audio/pcmu"}</c>: G.711 µ-law, 8 kHz.</summary>
    Pcmu,

    /// <summary><c>{"type":"audio/pcma"}</c>: G.711 A-law, 8 kHz.</summary>
    Pcma,
}

/// <summary>
/// The emulator's own audio path: the emulators' <see cref="G711"/> and a 24 kHz → 8 kHz decimator with a
/// windowed-sinc low-pass (kept in the emulators so they share no code with the platform they check). Public so
/// tests can make caller audio in any format from the 24 kHz voice assets.
/// </summary>
public static class RealtimeEmulatorAudio
{
    private const int Taps = 63;
    private static readonly double[] s_lowPass = BuildLowPass();

    /// <summary>The wire name of a format (<c>audio/pcm</c>, <c>audio/pcmu</c>, <c>audio/pcma</c>).</summary>
    public static string WireType(RealtimeAudioFormatType format) => format switch
    {
        RealtimeAudioFormatType.Pcmu => "audio/pcmu",
        RealtimeAudioFormatType.Pcma => "audio/pcma",
        _ => "audio/pcm",
    };

    /// <summary>Samples per second of a format.</summary>
    public static int SampleRate(RealtimeAudioFormatType format) => format == RealtimeAudioFormatType.Pcm24k ? 24_000 : 8_000;

    /// <summary>Bytes per sample of a format.</summary>
    public static int BytesPerSample(RealtimeAudioFormatType format) => format == RealtimeAudioFormatType.Pcm24k ? 2 : 1;

    /// <summary>Milliseconds of audio in <paramref name="bytes"/> bytes of a format.</summary>
    public static long Milliseconds(RealtimeAudioFormatType format, long bytes) => bytes / BytesPerSample(format) * 1000 / SampleRate(format);

    /// <summary>Encodes 24 kHz PCM16 into a format (low-pass and decimate by 3 for G.711).</summary>
    public static byte[] FromPcm24k(ReadOnlySpan<short> pcm24k, RealtimeAudioFormatType format)
    {
        if (format == RealtimeAudioFormatType.Pcm24k)
        {
            var bytes = new byte[pcm24k.Length * 2];
            for (var i = 0; i < pcm24k.Length; i++)
            {
                bytes[2 * i] = (byte)pcm24k[i];
                bytes[(2 * i) + 1] = (byte)(pcm24k[i] >> 8);
            }

            return bytes;
        }

        var narrow = DecimateBy3(pcm24k);
        var coded = new byte[narrow.Length];
        for (var i = 0; i < narrow.Length; i++)
        {
            coded[i] = format == RealtimeAudioFormatType.Pcmu ? G711.EncodeMuLaw(narrow[i]) : G711.EncodeALaw(narrow[i]);
        }

        return coded;
    }

    /// <summary>Decodes audio in a format to PCM16 at the format's own rate.</summary>
    public static short[] ToPcm(ReadOnlySpan<byte> audio, RealtimeAudioFormatType format)
    {
        if (format == RealtimeAudioFormatType.Pcm24k)
        {
            var pcm = new short[audio.Length / 2];
            for (var i = 0; i < pcm.Length; i++)
            {
                pcm[i] = (short)(audio[2 * i] | (audio[(2 * i) + 1] << 8));
            }

            return pcm;
        }

        var samples = new short[audio.Length];
        if (format == RealtimeAudioFormatType.Pcmu)
        {
            G711.DecodeMuLaw(audio, samples);
        }
        else
        {
            G711.DecodeALaw(audio, samples);
        }

        return samples;
    }

    /// <summary>Low-passes at ~3.6 kHz (63-tap Blackman-windowed sinc) and keeps every third sample.</summary>
    public static short[] DecimateBy3(ReadOnlySpan<short> pcm24k)
    {
        var output = new short[pcm24k.Length / 3];
        const int half = Taps / 2;
        for (var o = 0; o < output.Length; o++)
        {
            var center = o * 3;
            double acc = 0;
            for (var k = 0; k < Taps; k++)
            {
                var i = center + k - half;
                if ((uint)i < (uint)pcm24k.Length)
                {
                    acc += pcm24k[i] * s_lowPass[k];
                }
            }

            output[o] = (short)Math.Clamp(Math.Round(acc), short.MinValue, short.MaxValue);
        }

        return output;
    }

    private static double[] BuildLowPass()
    {
        // Cutoff 3.6 kHz at 24 kHz: below the 4 kHz Nyquist of the 8 kHz output, so speech keeps its telephone band.
        const double cutoff = 3_600.0 / 24_000.0;
        var h = new double[Taps];
        double sum = 0;
        for (var n = 0; n < Taps; n++)
        {
            var m = n - ((Taps - 1) / 2.0);
            var sinc = m == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * m) / (Math.PI * m);
            var window = 0.42 - (0.5 * Math.Cos(2 * Math.PI * n / (Taps - 1))) + (0.08 * Math.Cos(4 * Math.PI * n / (Taps - 1)));
            h[n] = sinc * window;
            sum += h[n];
        }

        for (var n = 0; n < Taps; n++)
        {
            h[n] /= sum;
        }

        return h;
    }
}
