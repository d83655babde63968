using System.Numerics;

namespace AiAgent.Grains.Audio;

/// <summary>
/// ITU-T G.711 µ-law codec on 16-bit linear PCM, table-driven (256-entry decode, 65,536-entry encode table).
/// </summary>
/// <remarks>
/// Decoding yields the G.711 reconstruction values scaled from 14 to 16 bits (±32,124 full scale, codes 0xFF/0x7F
/// are +0/-0). Encoding quantises the magnitude (sign-magnitude, truncating) with the segment bias 0x84 and clip
/// 32,635, bit-for-bit what NAudio and the classic Sun reference produce; the tests check every input.
/// </remarks>
public static class MuLaw
{
    private const int Bias = 0x84;
    private const int Clip = 32_635;

    private static readonly short[] DecodeTable = BuildDecodeTable();
    private static readonly byte[] EncodeTable = BuildEncodeTable();

    /// <summary>The code of digital silence (+0).</summary>
    public const byte Silence = 0xFF;

    /// <summary>Decodes one µ-law code.</summary>
    public static short Decode(byte code) => DecodeTable[code];

    /// <summary>Encodes one linear sample.</summary>
    public static byte Encode(short sample) => EncodeTable[(ushort)sample];

    /// <summary>Decodes <paramref name="codes"/> into the first <c>codes.Length</c> samples of <paramref name="samples"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="samples"/> is shorter than <paramref name="codes"/>.</exception>
    public static void Decode(ReadOnlySpan<byte> codes, Span<short> samples)
    {
        if (samples.Length < codes.Length)
        {
            throw new ArgumentException($"need room for {codes.Length} samples, got {samples.Length}", nameof(samples));
        }

        ReadOnlySpan<short> table = DecodeTable;
        for (var i = 0; i < codes.Length; i++)
        {
            samples[i] = table[codes[i]];
        }
    }

    /// <summary>Encodes <paramref name="samples"/> into the first <c>samples.Length</c> bytes of <paramref name="codes"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="codes"/> is shorter than <paramref name="samples"/>.</exception>
    public static void Encode(ReadOnlySpan<short> samples, Span<byte> codes)
    {
        if (codes.Length < samples.Length)
        {
            throw new ArgumentException($"need room for {samples.Length} codes, got {codes.Length}", nameof(codes));
        }

        ReadOnlySpan<byte> table = EncodeTable;
        for (var i = 0; i < samples.Length; i++)
        {
            codes[i] = table[(ushort)samples[i]];
        }
    }

    private static short[] BuildDecodeTable()
    {
        var table = new short[256];
        for (var code = 0; code < 256; code++)
        {
            var inverted = ~code & 0xFF;
            var exponent = (inverted >> 4) & 0x07;
            var mantissa = inverted & 0x0F;
            var magnitude = (((mantissa << 3) + Bias) << exponent) - Bias;
            table[code] = (short)((inverted & 0x80) != 0 ? -magnitude : magnitude);
        }

        return table;
    }

    private static byte[] BuildEncodeTable()
    {
        var table = new byte[65_536];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = EncodeCore((short)i);
        }

        return table;
    }

    private static byte EncodeCore(short sample)
    {
        int value = sample;
        var sign = 0;
        if (value < 0)
        {
            value = -value;
            sign = 0x80;
        }

        value = Math.Min(value, Clip) + Bias;

        // The biased magnitude lies in [0x84, 0x7FFF]: its top bit (7..14) selects the segment.
        var exponent = BitOperations.Log2((uint)value) - 7;
        var mantissa = (value >> (exponent + 3)) & 0x0F;
        return (byte)~(sign | (exponent << 4) | mantissa);
    }
}
