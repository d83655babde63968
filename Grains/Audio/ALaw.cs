using System.Numerics;

namespace AiAgent.Grains.Audio;

/// <summary>
/// ITU-T G.711 A-law codec on 16-bit linear PCM, table-driven (256-entry decode, 65,536-entry encode table).
/// </summary>
/// <remarks>
/// Decoding yields the G.711 reconstruction values scaled from 13 to 16 bits (±8 ... ±32,256; even bits inverted,
/// so 0xD5/0x55 are the smallest positive/negative values). Encoding quantises the magnitude (sign-magnitude,
/// truncating, clip 32,635), bit-for-bit what NAudio produces; the tests check every input.
/// </remarks>
public static class ALaw
{
    private const int Clip = 32_635;
    private const int EvenBitInversion = 0x55;

    private static readonly short[] DecodeTable = BuildDecodeTable();
    private static readonly byte[] EncodeTable = BuildEncodeTable();

    /// <summary>The code closest to digital silence (+8 in 16-bit units).</summary>
    public const byte Silence = 0xD5;

    /// <summary>Decodes one A-law code.</summary>
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
            var value = code ^ EvenBitInversion;
            var exponent = (value >> 4) & 0x07;
            var mantissa = value & 0x0F;
            var magnitude = exponent == 0
                ? (mantissa << 4) + 8
                : ((mantissa << 4) + 0x108) << (exponent - 1);
            table[code] = (short)((value & 0x80) != 0 ? magnitude : -magnitude);
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
        var sign = 0x80;
        if (value < 0)
        {
            value = -value;
            sign = 0;
        }

        value = Math.Min(value, Clip);
        int code;
        if (value < 256)
        {
            code = value >> 4;
        }
        else
        {
            // Magnitudes 256..32,635 have their top bit at 8..14: segments 1..7.
            var exponent = BitOperations.Log2((uint)value) - 7;
            code = (exponent << 4) | ((value >> (exponent + 3)) & 0x0F);
        }

        return (byte)(code ^ sign ^ EvenBitInversion);
    }
}
