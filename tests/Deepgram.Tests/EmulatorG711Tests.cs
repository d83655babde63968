using AiAgent.Emulators.Common;
using AiAgent.Grains.Audio;
using Xunit;

namespace AiAgent.Deepgram.Tests;

/// <summary>
/// The emulators' one G.711 (<see cref="G711"/>, used by both the Deepgram and the OpenAI Realtime emulator) over
/// every code of both laws, against golden ITU-T reconstruction values and the platform's independent codecs.
/// </summary>
public sealed class EmulatorG711Tests
{
    public static TheoryData<string> Laws => new() { "mulaw", "alaw" };

    [Theory]
    [InlineData(0xFF, 0)]
    [InlineData(0x7F, 0)]
    [InlineData(0xFE, 8)]
    [InlineData(0x7E, -8)]
    [InlineData(0xEF, 132)]
    [InlineData(0x80, 32_124)]
    [InlineData(0x00, -32_124)]
    public void MuLaw_decodes_golden_vectors(int code, int expected) => Assert.Equal(expected, G711.DecodeMuLaw((byte)code));

    [Theory]
    [InlineData(0xD5, 8)]
    [InlineData(0x55, -8)]
    [InlineData(0xDA, 248)]
    [InlineData(0xC5, 264)]
    [InlineData(0xAA, 32_256)]
    [InlineData(0x2A, -32_256)]
    public void ALaw_decodes_golden_vectors(int code, int expected) => Assert.Equal(expected, G711.DecodeALaw((byte)code));

    [Theory]
    [MemberData(nameof(Laws))]
    public void Every_code_decodes_to_the_platform_codecs_reconstruction_value(string law)
    {
        for (var code = 0; code < 256; code++)
        {
            Assert.Equal(PlatformDecode(law, (byte)code), Decode(law, (byte)code));
        }
    }

    [Theory]
    [MemberData(nameof(Laws))]
    public void Every_code_encodes_back_from_its_reconstruction_value(string law)
    {
        for (var code = 0; code < 256; code++)
        {
            // µ-law has two zeros: 0x7F (-0) decodes to 0, which encodes as 0xFF (+0).
            var expected = law == "mulaw" && code == 0x7F ? 0xFF : code;
            Assert.Equal((byte)expected, Encode(law, Decode(law, (byte)code)));
        }
    }

    [Theory]
    [MemberData(nameof(Laws))]
    public void Every_input_encodes_as_the_platform_codec_does(string law)
    {
        for (int sample = short.MinValue; sample <= short.MaxValue; sample++)
        {
            Assert.Equal(PlatformEncode(law, (short)sample), Encode(law, (short)sample));
        }
    }

    [Theory]
    [MemberData(nameof(Laws))]
    public void A_negative_sample_codes_as_the_mirror_of_its_magnitude(string law)
    {
        for (var magnitude = 1; magnitude <= short.MaxValue; magnitude++)
        {
            Assert.Equal(Encode(law, (short)magnitude) ^ 0x80, Encode(law, (short)-magnitude));
        }
    }

    [Theory]
    // Negative inputs on a decision value, where the two former emulator copies disagreed (one coded them an
    // interval lower): each codes as the mirror of its magnitude.
    [InlineData(-16, 0x54)]
    [InlineData(16, 0xD4)]
    [InlineData(-256, 0x45)]
    [InlineData(-31_744, 0x2A)]
    public void ALaw_codes_negative_decision_values_like_their_magnitude(int sample, int expected) =>
        Assert.Equal((byte)expected, G711.EncodeALaw((short)sample));

    [Theory]
    [MemberData(nameof(Laws))]
    public void Bulk_decoding_equals_decoding_each_code(string law)
    {
        var codes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var samples = new short[256];
        if (law == "mulaw")
        {
            G711.DecodeMuLaw(codes, samples);
        }
        else
        {
            G711.DecodeALaw(codes, samples);
        }

        Assert.Equal(codes.Select(c => Decode(law, c)), samples);
    }

    [Fact]
    public void Silence_codes_decode_to_the_smallest_magnitude()
    {
        Assert.Equal(0, G711.DecodeMuLaw(G711.MuLawSilence));
        Assert.Equal(8, G711.DecodeALaw(G711.ALawSilence));
        Assert.Equal(G711.MuLawSilence, G711.EncodeMuLaw(0));
        Assert.Equal(G711.ALawSilence, G711.EncodeALaw(0));
    }

    private static short Decode(string law, byte code) => law == "mulaw" ? G711.DecodeMuLaw(code) : G711.DecodeALaw(code);

    private static byte Encode(string law, short sample) => law == "mulaw" ? G711.EncodeMuLaw(sample) : G711.EncodeALaw(sample);

    private static short PlatformDecode(string law, byte code) => law == "mulaw" ? MuLaw.Decode(code) : ALaw.Decode(code);

    private static byte PlatformEncode(string law, short sample) => law == "mulaw" ? MuLaw.Encode(sample) : ALaw.Encode(sample);
}
