using System.Buffers.Binary;
using System.Runtime.InteropServices;
using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Gateway.Audio;

/// <summary>Cheap "is there speech energy in this frame" test for the idle timer.</summary>
public static class SignalLevel
{
    private static readonly short[] s_mulaw = BuildTable(DecodeMulaw);
    private static readonly short[] s_alaw = BuildTable(DecodeAlaw);

    /// <summary>The RMS amplitude (16-bit scale) a dBFS threshold means.</summary>
    public static double RmsOf(double dbfs) => short.MaxValue * Math.Pow(10, dbfs / 20);

    /// <summary>True when the frame's RMS exceeds <paramref name="rmsThreshold"/> (compares squares: no square root).</summary>
    public static bool IsAbove(ReadOnlySpan<byte> frame, AudioEncoding encoding, double rmsThreshold)
    {
        var samples = encoding == AudioEncoding.Pcm16 ? frame.Length / 2 : frame.Length;
        if (samples == 0)
        {
            return false;
        }

        double sum = 0;
        switch (encoding)
        {
            case AudioEncoding.Pcm16 when BitConverter.IsLittleEndian:
                foreach (var s in MemoryMarshal.Cast<byte, short>(frame[..(samples * 2)]))
                {
                    sum += s * s;
                }

                break;
            case AudioEncoding.Pcm16:
                for (var i = 0; i < samples; i++)
                {
                    double s = BinaryPrimitives.ReadInt16LittleEndian(frame.Slice(i * 2, 2));
                    sum += s * s;
                }

                break;
            default:
                var table = encoding == AudioEncoding.Mulaw ? s_mulaw : s_alaw;
                foreach (var b in frame)
                {
                    double s = table[b];
                    sum += s * s;
                }

                break;
        }

        return sum > rmsThreshold * rmsThreshold * samples;
    }

    /// <summary>The silence byte of an encoding (G.711 silence is not zero).</summary>
    public static byte SilenceByte(AudioEncoding encoding) => encoding switch
    {
        AudioEncoding.Mulaw => 0xFF,
        AudioEncoding.Alaw => 0xD5,
        _ => 0x00,
    };

    private static short[] BuildTable(Func<byte, short> decode)
    {
        var table = new short[256];
        for (var i = 0; i < 256; i++)
        {
            table[i] = decode((byte)i);
        }

        return table;
    }

    // ITU-T G.711 expansions; only used for the energy estimate.
    private static short DecodeMulaw(byte code)
    {
        var u = ~code & 0xFF;
        var t = (((u & 0x0F) << 3) + 0x84) << ((u & 0x70) >> 4);
        return (short)((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
    }

    private static short DecodeAlaw(byte code)
    {
        var a = code ^ 0x55;
        var t = (a & 0x0F) << 4;
        var seg = (a & 0x70) >> 4;
        t = seg switch
        {
            0 => t + 8,
            1 => t + 0x108,
            _ => (t + 0x108) << (seg - 1),
        };
        return (short)((a & 0x80) != 0 ? t : -t);
    }
}
