using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Grains.Audio;

/// <summary>
/// Converts a stream of audio from one format to another (decode, resample, encode), keeping state across
/// chunks. One instance per direction per call; not thread-safe.
/// </summary>
/// <remarks>PLACEHOLDER: same-rate G.711 only until the audio pipeline (issue 3) lands; the public API stays.</remarks>
public sealed class AudioConverter
{
    private AudioConverter(AudioFormat from, AudioFormat to)
    {
        From = from;
        To = to;
    }

    /// <summary>The input format.</summary>
    public AudioFormat From { get; }

    /// <summary>The output format.</summary>
    public AudioFormat To { get; }

    /// <summary>True when input bytes pass through unchanged.</summary>
    public bool IsPassThrough => From == To;

    /// <summary>Builds the converter chain for a pair of formats.</summary>
    /// <exception cref="NotSupportedException">A format this platform cannot code.</exception>
    public static AudioConverter Create(AudioFormat from, AudioFormat to)
    {
        if (!from.IsSupported || !to.IsSupported || from.SampleRate != to.SampleRate)
        {
            throw new NotSupportedException($"cannot convert {from} to {to}");
        }

        return new AudioConverter(from, to);
    }

    /// <summary>An upper bound of the bytes <see cref="Convert"/> writes for <paramref name="inputBytes"/> bytes of input.</summary>
    public int GetMaxOutputBytes(int inputBytes) =>
        (int)((long)inputBytes / From.BlockAlign * To.SampleRate / From.SampleRate + 64) * To.BlockAlign;

    /// <summary>Converts <paramref name="input"/> and returns the bytes written to <paramref name="output"/>.</summary>
    public int Convert(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (IsPassThrough)
        {
            input.CopyTo(output);
            return input.Length;
        }

        var samples = input.Length / From.BlockAlign;
        for (var i = 0; i < samples; i++)
        {
            short pcm = From.Encoding switch
            {
                AudioEncoding.Mulaw => NAudio.Codecs.MuLawDecoder.MuLawToLinearSample(input[i]),
                AudioEncoding.Alaw => NAudio.Codecs.ALawDecoder.ALawToLinearSample(input[i]),
                _ => System.Buffers.Binary.BinaryPrimitives.ReadInt16LittleEndian(input[(i * 2)..]),
            };
            switch (To.Encoding)
            {
                case AudioEncoding.Mulaw: output[i] = NAudio.Codecs.MuLawEncoder.LinearToMuLawSample(pcm); break;
                case AudioEncoding.Alaw: output[i] = NAudio.Codecs.ALawEncoder.LinearToALawSample(pcm); break;
                default: System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(output[(i * 2)..], pcm); break;
            }
        }

        return samples * To.BlockAlign;
    }

    /// <summary>Forgets carried state (e.g. after barge-in drops the rest of an utterance).</summary>
    public void Reset()
    {
    }
}
