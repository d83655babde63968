namespace AiAgent.Emulators.Common;

/// <summary>
/// The emulators' one G.711 codec (µ-law and A-law on 16-bit linear PCM), written apart from the platform's
/// <c>Grains/Audio</c> codecs so a bug there cannot hide in both peers of a test.
/// </summary>
/// <remarks>
/// Decoding gives the G.711 reconstruction values, scaled to 16 bits (µ-law ×4 from 14 bits, ±32,124 full scale;
/// A-law ×8 from 13 bits, ±8 … ±32,256). Encoding quantises the magnitude and sets the sign bit apart
/// (sign-magnitude, truncating, clip 32,635), so a negative sample codes as the mirror of its magnitude:
/// <c>Encode(-x) == Encode(x) ^ 0x80</c>. That is what the platform's codecs and NAudio do; the ITU-T G.191
/// reference code instead takes the one's complement of negative samples, which moves the 127 negative inputs
/// that sit exactly on a decision value one interval down. Both are G.711; this one keeps the two laws and the two
/// peers on the same convention.
/// </remarks>
public static class G711
{
    private const int MuLawBias = 0x84;
    private const int Clip = 32_635;
    private const int ALawEvenBits = 0x55;

    private static readonly short[] s_muLawDecode = BuildDecodeTable(DecodeMuLawCore);
    private static readonly short[] s_aLawDecode = BuildDecodeTable(DecodeALawCore);

    /// <summary>The µ-law code of digital silence (+0).</summary>
    public const byte MuLawSilence = 0xFF;

    /// <summary>The A-law code closest to digital silence (+8).</summary>
    public const byte ALawSilence = 0xD5;

    /// <summary>Decodes one µ-law code.</summary>
    public static short DecodeMuLaw(byte code) => s_muLawDecode[code];

    /// <summary>Decodes one A-law code.</summary>
    public static short DecodeALaw(byte code) => s_aLawDecode[code];

    /// <summary>Decodes µ-law <paramref name="codes"/> into the first <c>codes.Length</c> samples of <paramref name="samples"/>.</summary>
    public static void DecodeMuLaw(ReadOnlySpan<byte> codes, Span<short> samples) => Decode(s_muLawDecode, codes, samples);

    /// <summary>Decodes A-law <paramref name="codes"/> into the first <c>codes.Length</c> samples of <paramref name="samples"/>.</summary>
    public static void DecodeALaw(ReadOnlySpan<byte> codes, Span<short> samples) => Decode(s_aLawDecode, codes, samples);

    /// <summary>Encodes one sample as µ-law: segment from the biased magnitude, 4 mantissa bits, all bits inverted.</summary>
    public static byte EncodeMuLaw(short sample)
    {
        var sign = sample < 0 ? 0x80 : 0;
        var biased = Math.Min(Math.Abs((int)sample), Clip) + MuLawBias;
        var segment = SegmentAbove256(biased);
        var mantissa = (biased >> (segment + 3)) & 0x0F;
        return (byte)~(sign | (segment << 4) | mantissa);
    }

    /// <summary>Encodes one sample as A-law: segment 0 linear below 256, segments 1-7 logarithmic, even bits inverted.</summary>
    public static byte EncodeALaw(short sample)
    {
        var sign = sample < 0 ? 0 : 0x80;
        var magnitude = Math.Min(Math.Abs((int)sample), Clip);
        var segment = SegmentAbove256(magnitude);
        var code = segment == 0 ? magnitude >> 4 : (segment << 4) | ((magnitude >> (segment + 3)) & 0x0F);
        return (byte)((sign | code) ^ ALawEvenBits);
    }

    /// <summary>How many bits a magnitude's top set bit lies above bit 7 (0 below 256, 7 at the clip).</summary>
    private static int SegmentAbove256(int magnitude)
    {
        var segment = 0;
        for (var rest = magnitude >> 8; rest != 0; rest >>= 1)
        {
            segment++;
        }

        return segment;
    }

    private static short DecodeMuLawCore(byte code)
    {
        var inverted = ~code & 0xFF;
        var exponent = (inverted >> 4) & 0x07;
        var magnitude = ((((inverted & 0x0F) << 3) + MuLawBias) << exponent) - MuLawBias;
        return (short)((inverted & 0x80) != 0 ? -magnitude : magnitude);
    }

    private static short DecodeALawCore(byte code)
    {
        var value = code ^ ALawEvenBits;
        var exponent = (value >> 4) & 0x07;
        var mantissa = value & 0x0F;
        var magnitude = exponent == 0 ? (mantissa << 4) + 8 : ((mantissa << 4) + 0x108) << (exponent - 1);
        return (short)((value & 0x80) != 0 ? magnitude : -magnitude);
    }

    private static void Decode(short[] table, ReadOnlySpan<byte> codes, Span<short> samples)
    {
        if (samples.Length < codes.Length)
        {
            throw new ArgumentException($"need room for {codes.Length} samples, got {samples.Length}", nameof(samples));
        }

        for (var i = 0; i < codes.Length; i++)
        {
            samples[i] = table[codes[i]];
        }
    }

    private static short[] BuildDecodeTable(Func<byte, short> decode)
    {
        var table = new short[256];
        for (var code = 0; code < table.Length; code++)
        {
            table[code] = decode((byte)code);
        }

        return table;
    }
}
