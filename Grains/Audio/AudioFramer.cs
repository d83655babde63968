using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Grains.Audio;

/// <summary>
/// Cuts any amount of audio into whole AudioSocket frames (320 bytes per 20 ms at slin 8 kHz, 640 at 16 kHz...),
/// holding the remainder for the next chunk and padding it with silence on <see cref="Flush"/>.
/// </summary>
public sealed class AudioFramer
{
    private readonly byte[] _remainder;
    private readonly byte _silence;
    private int _buffered;

    /// <summary>Creates a framer for <paramref name="format"/> with frames of <paramref name="frameDuration"/>.</summary>
    public AudioFramer(AudioFormat format, TimeSpan frameDuration)
    {
        Format = format;
        FrameBytes = format.BytesFor(frameDuration);
        if (FrameBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(frameDuration), frameDuration, "a frame must hold at least one sample");
        }

        _remainder = new byte[FrameBytes];
        _silence = SilenceByte(format.Encoding);
    }

    /// <summary>The format being framed.</summary>
    public AudioFormat Format { get; }

    /// <summary>Bytes per frame.</summary>
    public int FrameBytes { get; }

    /// <summary>Bytes held back, waiting for the rest of a frame.</summary>
    public int Buffered => _buffered;

    /// <summary>The byte value of silence in an encoding.</summary>
    public static byte SilenceByte(AudioEncoding encoding) => encoding switch
    {
        AudioEncoding.Mulaw => 0xFF,
        AudioEncoding.Alaw => 0xD5,
        _ => 0,
    };

    /// <summary>Bytes of whole frames that <see cref="Write"/> will produce for <paramref name="inputBytes"/> more bytes.</summary>
    public int GetOutputBytes(int inputBytes) => (_buffered + inputBytes) / FrameBytes * FrameBytes;

    /// <summary>Appends <paramref name="audio"/>; writes whole frames to <paramref name="output"/> and returns how many bytes.</summary>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <see cref="GetOutputBytes"/>; nothing is consumed.</exception>
    public int Write(ReadOnlySpan<byte> audio, Span<byte> output)
    {
        var total = GetOutputBytes(audio.Length);
        if (output.Length < total)
        {
            throw new ArgumentException($"output holds {output.Length} bytes; {total} bytes of whole frames are ready", nameof(output));
        }

        if (total == 0)
        {
            audio.CopyTo(_remainder.AsSpan(_buffered));
            _buffered += audio.Length;
            return 0;
        }

        _remainder.AsSpan(0, _buffered).CopyTo(output);
        var fromInput = total - _buffered;
        audio[..fromInput].CopyTo(output[_buffered..]);
        var rest = audio[fromInput..];
        rest.CopyTo(_remainder);
        _buffered = rest.Length;
        return total;
    }

    /// <summary>Writes the held remainder as one frame padded with silence; returns 0 or <see cref="FrameBytes"/>.</summary>
    /// <exception cref="ArgumentException">A remainder is held and <paramref name="output"/> is shorter than a frame.</exception>
    public int Flush(Span<byte> output)
    {
        if (_buffered == 0)
        {
            return 0;
        }

        if (output.Length < FrameBytes)
        {
            throw new ArgumentException($"output holds {output.Length} bytes; a frame is {FrameBytes}", nameof(output));
        }

        _remainder.AsSpan(0, _buffered).CopyTo(output);
        output[_buffered..FrameBytes].Fill(_silence);
        _buffered = 0;
        return FrameBytes;
    }

    /// <summary>Drops the held remainder (barge-in).</summary>
    public void Reset() => _buffered = 0;
}
