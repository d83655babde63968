using AiAgent.Grains.Audio;

namespace AiAgent.Audio.Tests;

public sealed class PolyphaseResamplerTests
{
    public static IEnumerable<object[]> RatePairs() => Signals.RatePairs();

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void OutputLengthIsExactOverALongRandomlyChunkedStream(int from, int to)
    {
        var resampler = new PolyphaseResampler(from, to);
        var random = new Random(from + to);
        var input = Signals.Noise(from * 10, seed: 1);
        var output = new short[resampler.GetMaxOutputCount(input.Length)];
        var consumed = 0;
        var produced = 0;
        foreach (var chunk in Signals.RandomChunks(input.Length, from / 25, random))
        {
            var expected = resampler.GetOutputCount(chunk);
            var written = resampler.Process(input.AsSpan(consumed, chunk), output.AsSpan(produced));
            Assert.Equal(expected, written);
            consumed += chunk;
            produced += written;

            // After n input samples exactly ⌈n·L/M⌉ have come out: no drift.
            Assert.Equal((int)((((long)consumed * to) + from - 1) / from), produced);
        }

        Assert.Equal(to * 10, produced);
    }

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void RandomChunkingsGiveIdenticalOutput(int from, int to)
    {
        var input = Signals.Noise(from / 2, seed: from ^ to);
        var reference = ResampleWhole(from, to, input);
        for (var seed = 0; seed < 5; seed++)
        {
            var random = new Random(seed);
            var resampler = new PolyphaseResampler(from, to);
            var output = new List<short>();
            var buffer = new short[resampler.GetMaxOutputCount(input.Length)];
            var offset = 0;
            foreach (var chunk in Signals.RandomChunks(input.Length, 1_500, random))
            {
                var written = resampler.Process(input.AsSpan(offset, chunk), buffer);
                output.AddRange(buffer.AsSpan(0, written));
                offset += chunk;
            }

            Assert.Equal(reference, output.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void ToneIsContinuousAcross20MsChunkBoundaries(int from, int to)
    {
        // A 440 Hz tone in 20 ms chunks: every output step stays within what the tone's slope allows, so a click
        // or phase jump at a boundary fails; the pitch is preserved.
        const double frequency = 440;
        const double amplitude = 16_000;
        var input = Signals.Tone(from, frequency, from);
        var resampler = new PolyphaseResampler(from, to);
        var output = new short[to];
        var produced = 0;
        var frame = from / 50;
        for (var offset = 0; offset < input.Length; offset += frame)
        {
            produced += resampler.Process(input.AsSpan(offset, frame), output.AsSpan(produced));
        }

        Assert.Equal(to, produced);
        var steady = output.AsSpan((2 * resampler.DelayOutputSamples) + 4); // past the onset transient
        var maxStep = (2 * Math.PI * frequency / to * amplitude) + 4;
        for (var i = 1; i < steady.Length; i++)
        {
            Assert.True(Math.Abs(steady[i] - steady[i - 1]) <= maxStep, $"jump of {steady[i] - steady[i - 1]} at output {i}");
        }

        Assert.InRange(Signals.ZeroCrossingFrequency(steady, to), frequency * 0.999, frequency * 1.001);
        Assert.InRange(Signals.Rms(steady), amplitude / Math.Sqrt(2) * 0.99, amplitude / Math.Sqrt(2) * 1.01);
    }

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void ImpulsePeaksAtTheDeclaredDelay(int from, int to)
    {
        // An impulse at input sample 0 peaks at output sample DelayOutputSamples (linear phase, integer delay).
        var resampler = new PolyphaseResampler(from, to);
        var input = new short[from / 10];
        input[0] = 20_000;
        var output = new short[resampler.GetMaxOutputCount(input.Length)];
        var written = resampler.Process(input, output);
        var peak = 0;
        for (var i = 1; i < written; i++)
        {
            if (output[i] > output[peak])
            {
                peak = i;
            }
        }

        Assert.Equal(resampler.DelayOutputSamples, peak);
        Assert.Equal(resampler.DelayInputSamples * to, resampler.DelayOutputSamples * from);
    }

    [Theory]
    [InlineData(5_000)]
    [InlineData(10_000)]
    public void DownsamplingRemovesToneAboveTheNewNyquist(int frequency)
    {
        var input = Signals.Tone(24_000, frequency, 24_000, amplitude: 30_000);
        var output = ResampleWhole(24_000, 8_000, input);

        // ≥ 70 dB below the input: 30,000/√2 RMS becomes < 6.7 LSB (rounding noise alone is ~0.3).
        var rms = Signals.Rms(output.AsSpan(200));
        Assert.True(rms < 30_000 / Math.Sqrt(2) * Math.Pow(10, -70 / 20.0), $"alias RMS {rms}");
    }

    [Fact]
    public void ResetRestartsTheStream()
    {
        var input = Signals.Noise(800, seed: 3);
        var resampler = new PolyphaseResampler(8_000, 24_000);
        var first = new short[2_400];
        var second = new short[2_400];
        resampler.Process(input, first);
        resampler.Process(input.AsSpan(0, 7), new short[100]);
        resampler.Reset();
        resampler.Process(input, second);
        Assert.Equal(first, second);
    }

    [Fact]
    public void RejectsBadArguments()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolyphaseResampler(0, 8_000));
        Assert.Throws<NotSupportedException>(() => new PolyphaseResampler(44_100, 48_000));
        var resampler = new PolyphaseResampler(8_000, 24_000);
        Assert.Throws<ArgumentException>(() => resampler.Process(new short[160], new short[479]));
    }

    [Fact]
    public void ProcessAllocatesNothing()
    {
        var resampler = new PolyphaseResampler(24_000, 8_000);
        var input = Signals.Noise(480, seed: 4);
        var output = new short[160];
        Assert.Equal(0, Allocations.SteadyStateBytes(() => resampler.Process(input, output)));
    }

    private static short[] ResampleWhole(int from, int to, short[] input)
    {
        var resampler = new PolyphaseResampler(from, to);
        var output = new short[resampler.GetMaxOutputCount(input.Length)];
        var written = resampler.Process(input, output);
        return output[..written];
    }
}
