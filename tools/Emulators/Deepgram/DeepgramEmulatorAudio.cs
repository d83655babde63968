using System.Buffers.Binary;
using System.Collections.Concurrent;
using AiAgent.Emulators.Common;

namespace AiAgent.Emulators.Deepgram;

/// <summary>
/// The emulator's own audio helpers: G.711 coding (the emulators' <see cref="G711"/>) and a windowed-sinc resampler
/// for the 24 kHz voice assets. Written independently of the platform's codecs on purpose, so a bug there cannot
/// hide in both peers.
/// </summary>
public static class DeepgramEmulatorAudio
{
    private static readonly ConcurrentDictionary<(string Asset, string Encoding, int Rate), byte[]> s_encoded = new();

    /// <summary>Bytes per sample of a Deepgram encoding the emulator codes.</summary>
    public static int BytesPerSample(string encoding) => encoding == "linear16" ? 2 : 1;

    /// <summary>An asset converted to the session's <c>audio.output</c> (cached per format).</summary>
    public static byte[] Encode(string assetName, ReadOnlySpan<short> asset24k, string encoding, int sampleRate)
    {
        if (s_encoded.TryGetValue((assetName, encoding, sampleRate), out var cached))
        {
            return cached;
        }

        var resampled = Resample(asset24k, VoiceAssets.SampleRate, sampleRate);
        var bytes = new byte[resampled.Length * BytesPerSample(encoding)];
        for (var i = 0; i < resampled.Length; i++)
        {
            switch (encoding)
            {
                case "mulaw": bytes[i] = G711.EncodeMuLaw(resampled[i]); break;
                case "alaw": bytes[i] = G711.EncodeALaw(resampled[i]); break;
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
                G711.DecodeMuLaw(input, output);
                return input.Length;
            case "alaw":
                G711.DecodeALaw(input, output);
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

    /// <summary>µ-law encoding of one sample (<see cref="G711.EncodeMuLaw"/>).</summary>
    public static byte LinearToMulaw(short sample) => G711.EncodeMuLaw(sample);

    /// <summary>A-law encoding of one sample (<see cref="G711.EncodeALaw"/>).</summary>
    public static byte LinearToAlaw(short sample) => G711.EncodeALaw(sample);
}
