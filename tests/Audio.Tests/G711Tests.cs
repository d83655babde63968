using AiAgent.Grains.Audio;
using NAudio.Codecs;

namespace AiAgent.Audio.Tests;

public sealed class G711Tests
{
    // Golden vectors: G.711 reconstruction values (µ-law scaled ×4 from 14 bits, A-law ×8 from 13 bits).
    [Theory]
    [InlineData(0xFF, 0)]
    [InlineData(0x7F, 0)]
    [InlineData(0xFE, 8)]
    [InlineData(0x7E, -8)]
    [InlineData(0xF0, 120)]
    [InlineData(0xEF, 132)]
    [InlineData(0xE0, 372)]
    [InlineData(0xDF, 396)]
    [InlineData(0xC0, 1_884)]
    [InlineData(0xA0, 7_932)]
    [InlineData(0x80, 32_124)]
    [InlineData(0x00, -32_124)]
    public void MuLawDecodesGoldenVectors(int code, int expected) => Assert.Equal(expected, MuLaw.Decode((byte)code));

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xD4, 24)]
    [InlineData(0xDA, 248)]
    [InlineData(0xC5, 264)]
    [InlineData(0xF5, 528)]
    [InlineData(0xAA, 32_256)]
    [InlineData(0x2A, -32_256)]
    public void ALawDecodesGoldenVectors(int code, int expected) => Assert.Equal(expected, ALaw.Decode((byte)code));

    [Theory]
    [InlineData(0, 0xFF)]
    [InlineData(-1, 0x7F)]
    [InlineData(8, 0xFE)]
    [InlineData(1_000, 0xCE)]
    [InlineData(-1_000, 0x4E)]
    [InlineData(32_767, 0x80)]
    [InlineData(-32_768, 0x00)]
    public void MuLawEncodesGoldenVectors(int sample, int expected) => Assert.Equal((byte)expected, MuLaw.Encode((short)sample));

    [Theory]
    [InlineData(0, 0xD5)]
    [InlineData(-1, 0x55)]
    [InlineData(1_000, 0xFA)]
    [InlineData(-1_000, 0x7A)]
    [InlineData(32_767, 0xAA)]
    [InlineData(-32_768, 0x2A)]
    public void ALawEncodesGoldenVectors(int sample, int expected) => Assert.Equal((byte)expected, ALaw.Encode((short)sample));

    [Fact]
    public void MuLawDecodeMatchesNAudioForAll256Codes()
    {
        for (var code = 0; code < 256; code++)
        {
            // NAudio 3.3.0 decodes 0x7F (-0) as -1; G.711 reconstructs -0 as 0, like +0 (0xFF).
            var reference = code == 0x7F ? MuLawDecoder.MuLawToLinearSample(0xFF) : MuLawDecoder.MuLawToLinearSample((byte)code);
            Assert.Equal(reference, MuLaw.Decode((byte)code));
        }
    }

    [Fact]
    public void ALawDecodeMatchesNAudioForAll256Codes()
    {
        for (var code = 0; code < 256; code++)
        {
            Assert.Equal(ALawDecoder.ALawToLinearSample((byte)code), ALaw.Decode((byte)code));
        }
    }

    [Fact]
    public void MuLawEncodeMatchesNAudioForAll65536Inputs()
    {
        for (int sample = short.MinValue; sample <= short.MaxValue; sample++)
        {
            Assert.Equal(MuLawEncoder.LinearToMuLawSample(NAudioSafe(sample)), MuLaw.Encode((short)sample));
        }
    }

    [Fact]
    public void ALawEncodeMatchesNAudioForAll65536Inputs()
    {
        for (int sample = short.MinValue; sample <= short.MaxValue; sample++)
        {
            Assert.Equal(ALawEncoder.LinearToALawSample(NAudioSafe(sample)), ALaw.Encode((short)sample));
        }
    }

    [Fact]
    public void EveryCodeSurvivesDecodeThenEncode()
    {
        for (var code = 0; code < 256; code++)
        {
            // µ-law 0x7F is -0: it decodes to 0, which encodes as +0 (0xFF). Compare the reconstructed values.
            Assert.Equal(MuLaw.Decode((byte)code), MuLaw.Decode(MuLaw.Encode(MuLaw.Decode((byte)code))));
            Assert.Equal((byte)code, ALaw.Encode(ALaw.Decode((byte)code)));
        }
    }

    [Fact]
    public void BulkMethodsEqualPerSampleMethods()
    {
        var codes = new byte[256];
        for (var i = 0; i < codes.Length; i++)
        {
            codes[i] = (byte)i;
        }

        var samples = new short[65_536];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)i;
        }

        var decoded = new short[256];
        var encoded = new byte[65_536];

        MuLaw.Decode(codes, decoded);
        MuLaw.Encode(samples, encoded);
        for (var i = 0; i < codes.Length; i++)
        {
            Assert.Equal(MuLaw.Decode(codes[i]), decoded[i]);
        }

        for (var i = 0; i < samples.Length; i++)
        {
            Assert.Equal(MuLaw.Encode(samples[i]), encoded[i]);
        }

        ALaw.Decode(codes, decoded);
        ALaw.Encode(samples, encoded);
        for (var i = 0; i < codes.Length; i++)
        {
            Assert.Equal(ALaw.Decode(codes[i]), decoded[i]);
        }

        for (var i = 0; i < samples.Length; i++)
        {
            Assert.Equal(ALaw.Encode(samples[i]), encoded[i]);
        }
    }

    [Fact]
    public void BulkMethodsRejectShortDestinations()
    {
        Assert.Throws<ArgumentException>(() => MuLaw.Decode(new byte[4], new short[3]));
        Assert.Throws<ArgumentException>(() => MuLaw.Encode(new short[4], new byte[3]));
        Assert.Throws<ArgumentException>(() => ALaw.Decode(new byte[4], new short[3]));
        Assert.Throws<ArgumentException>(() => ALaw.Encode(new short[4], new byte[3]));
    }

    // NAudio 3.3.0 negates -32,768 in 16 bits, which overflows and encodes full-scale negative as -0. Both values lie
    // beyond the clip level, so G.711 gives them the same code: compare -32,768 with NAudio's -32,767.
    private static short NAudioSafe(int sample) => (short)Math.Max(sample, -short.MaxValue);
}
