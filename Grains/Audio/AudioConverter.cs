using System.Buffers.Binary;
using System.Runtime.InteropServices;
using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Grains.Audio;

/// <summary>
/// Converts a stream of audio from one format to another (decode, resample, encode), keeping state across
/// chunks. One instance per direction per call; not thread-safe.
/// </summary>
/// <remarks>
/// The chain is built from the two formats: decode µ-law/A-law/PCM16 LE to 16-bit samples, resample with a
/// <see cref="PolyphaseResampler"/> when the rates differ, encode. Chunks may have any length; a PCM16 chunk that
/// ends inside a sample keeps its odd byte for the next one. All scratch buffers are allocated here, so a call to
/// <see cref="Convert"/> allocates nothing.
/// </remarks>
public sealed class AudioConverter
{
    private const int BlockSamples = PolyphaseResampler.BlockSamples;

    private readonly PolyphaseResampler? _resampler;
    private readonly short[] _decoded;
    private readonly short[] _resampled;
    private readonly byte[] _partial;
    private int _partialCount;

    private AudioConverter(AudioFormat from, AudioFormat to)
    {
        From = from;
        To = to;
        _partial = new byte[from.BlockAlign];
        if (from.SampleRate != to.SampleRate)
        {
            _resampler = new PolyphaseResampler(from.SampleRate, to.SampleRate);
            _resampled = new short[_resampler.GetMaxOutputCount(BlockSamples)];
        }
        else
        {
            _resampled = [];
        }

        _decoded = IsPassThrough ? [] : new short[BlockSamples];
    }

    /// <summary>The input format.</summary>
    public AudioFormat From { get; }

    /// <summary>The output format.</summary>
    public AudioFormat To { get; }

    /// <summary>True when input bytes pass through unchanged.</summary>
    public bool IsPassThrough => From == To;

    /// <summary>Delay the conversion adds (the resampler's group delay; zero without resampling).</summary>
    public TimeSpan Delay => _resampler?.Delay ?? TimeSpan.Zero;

    /// <summary>Builds the converter chain for a pair of formats.</summary>
    /// <exception cref="NotSupportedException">A format this platform cannot code, or a rate pair it cannot resample.</exception>
    public static AudioConverter Create(AudioFormat from, AudioFormat to)
    {
        if (!from.IsSupported || !to.IsSupported)
        {
            throw new NotSupportedException(
                $"cannot convert {from} to {to}: only mono PCM16 at any rate and G.711 µ-law/A-law at 8 kHz are supported");
        }

        try
        {
            return new AudioConverter(from, to);
        }
        catch (NotSupportedException e)
        {
            throw new NotSupportedException($"cannot convert {from} to {to}: {e.Message}", e);
        }
    }

    /// <summary>
    /// An upper bound, whatever the state, of the bytes <see cref="Convert"/> writes for <paramref name="inputBytes"/>
    /// bytes of input.
    /// </summary>
    public int GetMaxOutputBytes(int inputBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputBytes);
        if (IsPassThrough)
        {
            return inputBytes;
        }

        // A held odd byte completes at most one more sample than the input holds alone.
        var samples = (inputBytes + From.BlockAlign - 1) / From.BlockAlign;
        var outputSamples = _resampler?.GetMaxOutputCount(samples) ?? samples;
        return checked(outputSamples * To.BlockAlign);
    }

    /// <summary>Exactly how many bytes the next <see cref="Convert"/> of <paramref name="inputBytes"/> bytes writes.</summary>
    public int GetOutputBytes(int inputBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputBytes);
        if (IsPassThrough)
        {
            return inputBytes;
        }

        var samples = (_partialCount + inputBytes) / From.BlockAlign;
        var outputSamples = _resampler?.GetOutputCount(samples) ?? samples;
        return checked(outputSamples * To.BlockAlign);
    }

    /// <summary>Converts <paramref name="input"/> and returns the bytes written to <paramref name="output"/>.</summary>
    /// <remarks>Size <paramref name="output"/> with <see cref="GetMaxOutputBytes"/> (or exactly, with <see cref="GetOutputBytes"/>).</remarks>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <see cref="GetOutputBytes"/>; nothing is consumed.</exception>
    public int Convert(ReadOnlySpan<byte> input, Span<byte> output)
    {
        var needed = GetOutputBytes(input.Length);
        if (output.Length < needed)
        {
            throw new ArgumentException(
                $"output holds {output.Length} bytes; converting {input.Length} bytes of {From} to {To} writes {needed}",
                nameof(output));
        }

        if (IsPassThrough)
        {
            input.CopyTo(output);
            return input.Length;
        }

        var written = 0;
        if (_partialCount > 0)
        {
            var take = Math.Min(_partial.Length - _partialCount, input.Length);
            input[..take].CopyTo(_partial.AsSpan(_partialCount));
            _partialCount += take;
            input = input[take..];
            if (_partialCount < _partial.Length)
            {
                return 0;
            }

            _partialCount = 0;
            written += ConvertBlock(_partial, output);
        }

        var blockBytes = BlockSamples * From.BlockAlign;
        var whole = input.Length - (input.Length % From.BlockAlign);
        var remaining = input[..whole];
        while (!remaining.IsEmpty)
        {
            var count = Math.Min(remaining.Length, blockBytes);
            written += ConvertBlock(remaining[..count], output[written..]);
            remaining = remaining[count..];
        }

        var tail = input[whole..];
        tail.CopyTo(_partial);
        _partialCount = tail.Length;
        return written;
    }

    /// <summary>An upper bound of the bytes <see cref="Flush"/> writes.</summary>
    public int MaxFlushBytes => _resampler is null ? 0 : _resampler.GetMaxOutputCount(_resampler.DelayInputSamples) * To.BlockAlign;

    /// <summary>
    /// Ends the stream: writes the audio still inside the resampler's filter (its group delay, e.g. 5.4 ms at
    /// 24 kHz → 8 kHz) by feeding it silence, then resets. Call at the end of an utterance so its last milliseconds
    /// are played now rather than ahead of the next one. The whole output is then the input's duration plus
    /// <see cref="Delay"/> (the filter's lead-in at the start of the stream).
    /// </summary>
    /// <returns>Bytes written: at most <see cref="MaxFlushBytes"/>; 0 without resampling.</returns>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <see cref="MaxFlushBytes"/>.</exception>
    public int Flush(Span<byte> output)
    {
        if (_resampler is null)
        {
            _partialCount = 0;
            return 0;
        }

        if (output.Length < MaxFlushBytes)
        {
            throw new ArgumentException($"output holds {output.Length} bytes; flushing needs up to {MaxFlushBytes}", nameof(output));
        }

        // A held odd byte is half a sample: drop it. Silence goes in as decoded samples, bypassing the decoder.
        _partialCount = 0;
        var silence = _decoded.AsSpan();
        silence.Clear();
        var written = 0;
        for (var remaining = _resampler.DelayInputSamples; remaining > 0; remaining -= BlockSamples)
        {
            written += ResampleAndEncode(silence[..Math.Min(remaining, BlockSamples)], output[written..]);
        }

        _resampler.Reset();
        return written;
    }

    /// <summary>Forgets carried state (e.g. after barge-in drops the rest of an utterance).</summary>
    public void Reset()
    {
        _resampler?.Reset();
        _partialCount = 0;
    }

    private int ConvertBlock(ReadOnlySpan<byte> input, Span<byte> output) => ResampleAndEncode(Decode(input), output);

    private int ResampleAndEncode(ReadOnlySpan<short> samples, Span<byte> output)
    {
        if (_resampler is not null)
        {
            // PCM16 output on a little-endian machine: resample straight into the caller's buffer.
            if (To.Encoding == AudioEncoding.Pcm16 && BitConverter.IsLittleEndian)
            {
                var count = _resampler.Process(samples, MemoryMarshal.Cast<byte, short>(output));
                return count * To.BlockAlign;
            }

            var resampled = _resampler.Process(samples, _resampled);
            samples = _resampled.AsSpan(0, resampled);
        }

        return Encode(samples, output);
    }

    private ReadOnlySpan<short> Decode(ReadOnlySpan<byte> input)
    {
        switch (From.Encoding)
        {
            case AudioEncoding.Mulaw:
                MuLaw.Decode(input, _decoded);
                return _decoded.AsSpan(0, input.Length);
            case AudioEncoding.Alaw:
                ALaw.Decode(input, _decoded);
                return _decoded.AsSpan(0, input.Length);
            default:
                var pcm = MemoryMarshal.Cast<byte, short>(input);
                if (BitConverter.IsLittleEndian)
                {
                    return pcm;
                }

                var swapped = _decoded.AsSpan(0, pcm.Length);
                BinaryPrimitives.ReverseEndianness(pcm, swapped);
                return swapped;
        }
    }

    private int Encode(ReadOnlySpan<short> samples, Span<byte> output)
    {
        switch (To.Encoding)
        {
            case AudioEncoding.Mulaw:
                MuLaw.Encode(samples, output);
                return samples.Length;
            case AudioEncoding.Alaw:
                ALaw.Encode(samples, output);
                return samples.Length;
            default:
                var pcm = MemoryMarshal.Cast<byte, short>(output);
                if (BitConverter.IsLittleEndian)
                {
                    samples.CopyTo(pcm);
                }
                else
                {
                    BinaryPrimitives.ReverseEndianness(samples, pcm);
                }

                return samples.Length * 2;
        }
    }
}
