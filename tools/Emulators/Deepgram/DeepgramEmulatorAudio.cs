using System.Buffers.Binary;
using System.Collections.Concurrent;

namespace AiAgent.Emulators.Deepgram;

/// <summary>
/// The emulator's own audio helpers: G.711 coding and a windowed-sinc resampler for the 24 kHz voice assets.
/// Written independently of the platform's codecs on purpose, so a bug there cannot hide in both peers.
/// </summary>
public static class DeepgramEmulatorAudio
{
    private static readonly ConcurrentDictionary<(string Asset, string Encoding, int Rate), byte[]> s_encoded = new();
    private static readonly short[] s_mulawTable = BuildTable(MulawToLinear);
    private static readonly short[] s_alawTable = BuildTable(AlawToLinear);

    /// <summary>Bytes per sample of a Deepgram encoding the emulator codes.</summary>
    public static int BytesPerSample(string encoding) => encoding == "linear16" ? 2 : 1;

    /// <summary>An asset converted to the session's <c>audio.output</c> (cached per format).</summary>
    public static byte[] Encode(string assetName, ReadOnlySpan<short> asset24k, string encoding, int sampleRate)
    {
        if (s_encoded.TryGetValue((assetName, encoding, sampleRate), out var cached))
        {
            return cached;
        }

        var resampled = Resample(asset24k, Common.VoiceAssets.SampleRate, sampleRate);
        var bytes = new byte[resampled.Length * BytesPerSample(encoding)];
        for (var i = 0; i < resampled.Length; i++)
        {
            switch (encoding)
            {
                case "mulaw": bytes[i] = LinearToMulaw(resampled[i]); break;
                case "alaw": bytes[i] = LinearToAlaw(resampled[i]); break;
                default: BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), resampled[i]); break;
            }
        }

        return s_encoded.GetOrAdd((assetName, encoding, sampleRate), bytes);
    }

    /// <summary>Decodes caller audio to PCM16; returns samples written. Linear16 input must be whole samples.</summary>
    public static int Decode(string encoding, ReadOnlySpan<byte> input, Span<short> output)
    {
        switch (encoding)
        {
            case "mulaw":
                for (var i = 0; i < input.Length; i++)
                {
                    output[i] = s_mulawTable[input[i]];
                }

                return input.Length;
            case "alaw":
                for (var i = 0; i < input.Length; i++)
                {
                    output[i] = s_alawTable[input[i]];
                }

                return input.Length;
            default:
                var samples = input.Length / 2;
                for (var i = 0; i < samples; i++)
                {
                    output[i] = BinaryPrimitives.ReadInt16LittleEndian(input[(i * 2)..]);
                }

                return samples;
        }
    }

    /// <summary>Band-limited resampling: windowed-sinc interpolation with the cut-off below both Nyquist rates.</summary>
    public static short[] Resample(ReadOnlySpan<short> input, int fromRate, int toRate)
    {
        if (fromRate == toRate)
        {
            return input.ToArray();
        }

        const int halfTaps = 16;
        var cutoff = 0.45 * Math.Min(fromRate, toRate) / fromRate; // cycles per input sample
        var outLength = (int)((long)input.Length * toRate / fromRate);
        var output = new short[outLength];
        for (var n = 0; n < outLength; n++)
        {
            var position = (double)n * fromRate / toRate;
            var centre = (int)Math.Floor(position);
            double acc = 0, norm = 0;
            for (var k = centre - halfTaps + 1; k <= centre + halfTaps; k++)
            {
                var x = position - k;
                var window = 0.5 + 0.5 * Math.Cos(Math.PI * x / halfTaps);
                var sinc = Math.Abs(x) < 1e-9 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
                var weight = sinc * window;
                norm += weight;
                if ((uint)k < (uint)input.Length)
                {
                    acc += input[k] * weight;
                }
            }

            output[n] = (short)Math.Clamp(Math.Round(acc / norm), short.MinValue, short.MaxValue);
        }

        return output;
    }

    /// <summary>ITU-T G.711 µ-law encoding of one sample.</summary>
    public static byte LinearToMulaw(short sample)
    {
        const int bias = 0x84, clip = 32_635;
        int pcm = sample;
        var sign = pcm < 0 ? 0x80 : 0;
        if (pcm < 0)
        {
            pcm = -pcm;
        }

        pcm = Math.Min(pcm, clip) + bias;
        var exponent = 7;
        for (var mask = 0x4000; (pcm & mask) == 0 && exponent > 0; mask >>= 1)
        {
            exponent--;
        }

        var mantissa = (pcm >> (exponent + 3)) & 0x0F;
        return (byte)~(sign | (exponent << 4) | mantissa);
    }

    /// <summary>ITU-T G.711 A-law encoding of one sample.</summary>
    public static byte LinearToAlaw(short sample)
    {
        int pcm = sample;
        var sign = pcm >= 0 ? 0x80 : 0;
        if (pcm < 0)
        {
            pcm = Math.Min(-pcm, 32_767);
        }

        pcm >>= 3; // A-law works on 13-bit magnitudes
        int code;
        if (pcm < 32)
        {
            code = pcm >> 1;
        }
        else
        {
            var exponent = 1;
            while (pcm >= 64 && exponent < 7)
            {
                pcm >>= 1;
                exponent++;
            }

            code = (exponent << 4) | ((pcm >> 1) & 0x0F);
        }

        return (byte)((sign | code) ^ 0x55);
    }

    private static short MulawToLinear(byte code)
    {
        var u = ~code & 0xFF;
        var t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4);
        return (short)((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
    }

    private static short AlawToLinear(byte code)
    {
        var a = code ^ 0x55;
        var mantissa = a & 0x0F;
        var exponent = (a & 0x70) >> 4;
        var magnitude = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
        return (short)((a & 0x80) != 0 ? magnitude : -magnitude);
    }

    private static short[] BuildTable(Func<byte, short> decode)
    {
        var table = new short[256];
        for (var i = 0; i < 256; i++)
        {
            table[i] = decode((byte)i);
        }

        return table;
    }
}
