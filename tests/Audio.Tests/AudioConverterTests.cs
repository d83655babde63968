using System.Runtime.InteropServices;
using AiAgent.Grains.Audio;
using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Audio.Tests;

public sealed class AudioConverterTests
{
    private static readonly AudioFormat[] Formats =
    [
        AudioFormat.Slin8, AudioFormat.Slin16, AudioFormat.Slin24, AudioFormat.Slin48, AudioFormat.Mulaw8, AudioFormat.Alaw8,
    ];

    public static IEnumerable<object[]> FormatPairs() =>
        from f in Formats from t in Formats select new object[] { f.ToString(), t.ToString() };

    [Theory]
    [MemberData(nameof(FormatPairs))]
    public void ToneSurvivesEveryPairIn20MsChunks(string from, string to)
    {
        var source = Find(from);
        var target = Find(to);
        var converter = AudioConverter.Create(source, target);
        var input = Encode(source, Signals.Tone(source.SampleRate, 1_000, source.SampleRate * 2));
        var frame = source.BytesFor(TimeSpan.FromMilliseconds(20));
        var output = new byte[converter.GetMaxOutputBytes(input.Length)];
        var written = 0;
        for (var offset = 0; offset < input.Length; offset += frame)
        {
            written += converter.Convert(input.AsSpan(offset, frame), output.AsSpan(written));
        }

        // Two seconds in, exactly two seconds out.
        Assert.Equal(target.BytesFor(TimeSpan.FromSeconds(2)), written);
        var samples = Decode(target, output.AsSpan(0, written));
        var steady = samples.AsSpan(target.SampleRate / 50);
        Assert.InRange(Signals.ZeroCrossingFrequency(steady, target.SampleRate), 990, 1_010);
        Assert.InRange(Signals.Rms(steady), 16_000 / Math.Sqrt(2) * 0.97, 16_000 / Math.Sqrt(2) * 1.03);
    }

    [Theory]
    [MemberData(nameof(FormatPairs))]
    public void RoundTripThroughEveryPairKeepsTheTone(string from, string to)
    {
        // from → to → from, streamed in 20 ms chunks; delay-compensated against the original.
        var source = Find(from);
        var target = Find(to);
        var there = AudioConverter.Create(source, target);
        var back = AudioConverter.Create(target, source);
        var original = Signals.Tone(source.SampleRate, 997, source.SampleRate);
        var input = Encode(source, original);
        var frame = source.BytesFor(TimeSpan.FromMilliseconds(20));
        var middle = new byte[there.GetMaxOutputBytes(frame)];
        var output = new byte[input.Length];
        var written = 0;
        for (var offset = 0; offset < input.Length; offset += frame)
        {
            var n = there.Convert(input.AsSpan(offset, frame), middle);
            written += back.Convert(middle.AsSpan(0, n), output.AsSpan(written));
        }

        Assert.Equal(input.Length, written);
        var delay = (int)Math.Round((there.Delay + back.Delay).TotalSeconds * source.SampleRate);
        var result = Decode(source, output);
        Assert.InRange(Signals.ZeroCrossingFrequency(result.AsSpan(source.SampleRate / 10), source.SampleRate), 987, 1_007);

        // Resampling itself is near-transparent in band; G.711 legs bound the error at roughly 35-40 dB SNR.
        double signal = 0, noise = 0;
        for (var n = source.SampleRate / 10; n < original.Length - delay; n++)
        {
            signal += (double)original[n] * original[n];
            var e = result[n + delay] - (double)original[n];
            noise += e * e;
        }

        var g711 = source.Encoding != AudioEncoding.Pcm16 || target.Encoding != AudioEncoding.Pcm16;
        Assert.True(10 * Math.Log10(signal / noise) > (g711 ? 30 : 80), $"round-trip SNR {10 * Math.Log10(signal / noise):F1} dB");
    }

    [Theory]
    [MemberData(nameof(FormatPairs))]
    public void RandomChunkingsGiveByteIdenticalOutput(string from, string to)
    {
        var source = Find(from);
        var target = Find(to);
        var input = Encode(source, Signals.Noise(source.SampleRate / 2, seed: 7));
        var reference = ConvertWhole(source, target, input);
        for (var seed = 0; seed < 4; seed++)
        {
            var random = new Random(seed);
            var converter = AudioConverter.Create(source, target);
            var output = new byte[converter.GetMaxOutputBytes(input.Length) + 16];
            var written = 0;
            var offset = 0;

            // Byte chunks, so PCM16 input is also split inside samples.
            foreach (var chunk in Signals.RandomChunks(input.Length, 2_000, random))
            {
                var expected = converter.GetOutputBytes(chunk);
                Assert.InRange(expected, 0, converter.GetMaxOutputBytes(chunk));

                // Sized exactly: the converter writes what it announced.
                Assert.Equal(expected, converter.Convert(input.AsSpan(offset, chunk), output.AsSpan(written, expected)));
                written += expected;
                offset += chunk;
            }

            Assert.Equal(reference, output[..written]);
        }
    }

    [Fact]
    public void PassThroughCopiesBytes()
    {
        var converter = AudioConverter.Create(AudioFormat.Slin8, AudioFormat.Slin8);
        Assert.True(converter.IsPassThrough);
        var input = Encode(AudioFormat.Slin8, Signals.Noise(160, seed: 1));
        var output = new byte[input.Length];
        Assert.Equal(input.Length, converter.Convert(input, output));
        Assert.Equal(input, output);
    }

    [Fact]
    public void SameRateTranscodesWithTheG711Tables()
    {
        var pcm = Signals.Noise(160, seed: 2);
        var converter = AudioConverter.Create(AudioFormat.Slin8, AudioFormat.Mulaw8);
        var output = new byte[160];
        Assert.Equal(160, converter.Convert(Encode(AudioFormat.Slin8, pcm), output));
        for (var i = 0; i < pcm.Length; i++)
        {
            Assert.Equal(MuLaw.Encode(pcm[i]), output[i]);
        }
    }

    [Fact]
    public void ConvertAllocatesNothingPer20MsFrame()
    {
        var up = AudioConverter.Create(AudioFormat.Mulaw8, AudioFormat.Slin24);
        var down = AudioConverter.Create(AudioFormat.Slin24, AudioFormat.Slin8);
        var ulaw = new byte[160];
        var pcm24 = new byte[up.GetMaxOutputBytes(ulaw.Length)];
        var slin8 = new byte[down.GetMaxOutputBytes(pcm24.Length)];
        Assert.Equal(0, Allocations.SteadyStateBytes(() =>
        {
            up.Convert(ulaw, pcm24);
            down.Convert(pcm24, slin8);
        }));
    }

    [Theory]
    [MemberData(nameof(FormatPairs))]
    public void FlushEmitsTheFilterTailSoOutputMatchesInputDuration(string from, string to)
    {
        var source = Find(from);
        var target = Find(to);
        var converter = AudioConverter.Create(source, target);
        var input = Encode(source, Signals.Tone(source.SampleRate, 997, source.SampleRate / 5));
        var output = new byte[converter.GetMaxOutputBytes(input.Length) + converter.MaxFlushBytes];
        var written = converter.Convert(input, output);
        var tail = converter.Flush(output.AsSpan(written));
        Assert.InRange(tail, 0, converter.MaxFlushBytes);

        // 200 ms in; out 200 ms plus the filter's lead-in; the tail is the end of the tone, not silence.
        var leadIn = (int)Math.Round(converter.Delay.TotalSeconds * target.SampleRate) * target.BlockAlign;
        Assert.Equal(target.BytesFor(TimeSpan.FromMilliseconds(200)) + leadIn, written + tail);
        Assert.Equal(converter.Delay, target.DurationOf(tail));
        if (tail > 0)
        {
            Assert.True(Signals.Rms(Decode(target, output.AsSpan(written, tail))) > 4_000);
        }

        // Flushed means reset: the same input converts to the same bytes again.
        var again = new byte[output.Length];
        Assert.Equal(written, converter.Convert(input, again));
        Assert.Equal(output[..written], again[..written]);
    }

    [Fact]
    public void ResetDropsCarriedState()
    {
        var converter = AudioConverter.Create(AudioFormat.Slin24, AudioFormat.Slin8);
        var input = Encode(AudioFormat.Slin24, Signals.Noise(480, seed: 5));
        var first = new byte[converter.GetMaxOutputBytes(input.Length)];
        var second = new byte[first.Length];
        var n1 = converter.Convert(input, first);
        converter.Convert(input.AsSpan(0, 7), new byte[64]);
        converter.Reset();
        var n2 = converter.Convert(input, second);
        Assert.Equal(first[..n1], second[..n2]);
    }

    [Fact]
    public void RejectsUnsupportedFormatsAndShortOutput()
    {
        Assert.Throws<NotSupportedException>(() => AudioConverter.Create(AudioFormat.Slin8, AudioFormat.Slin8 with { Channels = 2 }));
        Assert.Throws<NotSupportedException>(() => AudioConverter.Create(AudioFormat.Mulaw8 with { SampleRate = 16_000 }, AudioFormat.Slin16));
        Assert.Throws<NotSupportedException>(() => AudioConverter.Create(AudioFormat.Slin8 with { SampleRate = 44_100 }, AudioFormat.Slin48));
        var converter = AudioConverter.Create(AudioFormat.Mulaw8, AudioFormat.Slin24);
        Assert.Equal(960, converter.GetMaxOutputBytes(160));
        Assert.Throws<ArgumentException>(() => converter.Convert(new byte[160], new byte[959]));
    }

    [Fact]
    public void DeclaresTheResamplerDelay()
    {
        Assert.Equal(TimeSpan.Zero, AudioConverter.Create(AudioFormat.Slin8, AudioFormat.Mulaw8).Delay);
        var delay = AudioConverter.Create(AudioFormat.Slin24, AudioFormat.Slin8).Delay;
        Assert.InRange(delay.TotalMilliseconds, 1, 10);
    }

    private static AudioFormat Find(string name) => Formats.Single(f => f.ToString() == name);

    private static byte[] ConvertWhole(AudioFormat from, AudioFormat to, byte[] input)
    {
        var converter = AudioConverter.Create(from, to);
        var output = new byte[converter.GetMaxOutputBytes(input.Length)];
        return output[..converter.Convert(input, output)];
    }

    internal static byte[] Encode(AudioFormat format, short[] samples)
    {
        switch (format.Encoding)
        {
            case AudioEncoding.Mulaw:
                var mu = new byte[samples.Length];
                MuLaw.Encode(samples, mu);
                return mu;
            case AudioEncoding.Alaw:
                var a = new byte[samples.Length];
                ALaw.Encode(samples, a);
                return a;
            default:
                return MemoryMarshal.AsBytes(samples.AsSpan()).ToArray();
        }
    }

    internal static short[] Decode(AudioFormat format, ReadOnlySpan<byte> bytes)
    {
        switch (format.Encoding)
        {
            case AudioEncoding.Mulaw:
                var mu = new short[bytes.Length];
                MuLaw.Decode(bytes, mu);
                return mu;
            case AudioEncoding.Alaw:
                var a = new short[bytes.Length];
                ALaw.Decode(bytes, a);
                return a;
            default:
                return MemoryMarshal.Cast<byte, short>(bytes).ToArray();
        }
    }
}
