using AiAgent.Emulators.Common;
using AiAgent.Emulators.Deepgram;
using Xunit;

namespace AiAgent.Deepgram.Tests;

/// <summary>The emulator's own G.711 and resampler, checked against NAudio (an independent implementation).</summary>
public sealed class EmulatorAudioTests
{
    [Fact]
    public void Mulaw_decoding_matches_NAudio_for_all_256_codes()
    {
        var codes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var decoded = new short[256];
        DeepgramEmulatorAudio.Decode("mulaw", codes, decoded);
        for (var i = 0; i < 256; i++)
        {
            // 0x7F is "negative zero": NAudio's table says -1, the ITU/Sun reference 0; both are silence.
            var tolerance = i == 0x7F ? 1 : 0;
            Assert.InRange(decoded[i], NAudio.Codecs.MuLawDecoder.MuLawToLinearSample((byte)i) - tolerance, NAudio.Codecs.MuLawDecoder.MuLawToLinearSample((byte)i) + tolerance);
        }
    }

    [Fact]
    public void Alaw_decoding_matches_NAudio_for_all_256_codes()
    {
        var codes = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var decoded = new short[256];
        DeepgramEmulatorAudio.Decode("alaw", codes, decoded);
        for (var i = 0; i < 256; i++)
        {
            Assert.Equal(NAudio.Codecs.ALawDecoder.ALawToLinearSample((byte)i), decoded[i]);
        }
    }

    [Fact]
    public void Encoders_round_trip_every_code()
    {
        for (var i = 0; i < 256; i++)
        {
            var linear = NAudio.Codecs.MuLawDecoder.MuLawToLinearSample((byte)i);
            var code = DeepgramEmulatorAudio.LinearToMulaw(linear);
            Assert.Equal(linear, NAudio.Codecs.MuLawDecoder.MuLawToLinearSample(code)); // 0x7F and 0xFF both mean 0

            var alaw = NAudio.Codecs.ALawDecoder.ALawToLinearSample((byte)i);
            Assert.Equal((byte)i, DeepgramEmulatorAudio.LinearToAlaw(alaw));
        }
    }

    [Fact]
    public void Resampled_tone_keeps_its_level_and_pitch()
    {
        // 1 kHz at 24 kHz down to 8 kHz: same RMS (within 1 dB) and 8 samples per period.
        var tone = Enumerable.Range(0, 24_000).Select(n => (short)(10_000 * Math.Sin(2 * Math.PI * 1_000 * n / 24_000.0))).ToArray();
        var down = DeepgramEmulatorAudio.Resample(tone, 24_000, 8_000);
        Assert.Equal(8_000, down.Length);
        var rms = Math.Sqrt(down.Skip(100).Take(7_800).Average(s => (double)s * s));
        Assert.InRange(20 * Math.Log10(rms / (10_000 / Math.Sqrt(2))), -1, 1);
        var crossings = down.Skip(100).Take(8_000 - 200).Zip(down.Skip(101)).Count(p => p.First < 0 && p.Second >= 0);
        Assert.InRange(crossings, 970, 990); // 1 kHz over the 0.98 s inspected
    }

    [Fact]
    public void Voice_assets_are_speech_length_audio()
    {
        Assert.InRange(VoiceAssets.Greeting.Length / (double)VoiceAssets.SampleRate, 1, 10);
        Assert.InRange(VoiceAssets.Reply.Length / (double)VoiceAssets.SampleRate, 1, 10);
    }
}
