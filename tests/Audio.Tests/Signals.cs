namespace AiAgent.Audio.Tests;

/// <summary>Synthetic signals and simple measurements for the audio tests.</summary>
internal static class Signals
{
    public static readonly int[] Rates = [8_000, 16_000, 24_000, 48_000];

    public static IEnumerable<object[]> RatePairs()
    {
        foreach (var from in Rates)
        {
            foreach (var to in Rates)
            {
                if (from != to)
                {
                    yield return [from, to];
                }
            }
        }
    }

    public static short[] Tone(int rate, double frequency, int samples, double amplitude = 16_000, double phase = 0)
    {
        var tone = new short[samples];
        for (var i = 0; i < samples; i++)
        {
            tone[i] = (short)Math.Round(amplitude * Math.Sin((2 * Math.PI * frequency * i / rate) + phase));
        }

        return tone;
    }

    public static short[] Noise(int samples, int seed, int amplitude = 12_000)
    {
        var random = new Random(seed);
        var noise = new short[samples];
        for (var i = 0; i < samples; i++)
        {
            noise[i] = (short)random.Next(-amplitude, amplitude + 1);
        }

        return noise;
    }

    /// <summary>Frequency from the interpolated positive-going zero crossings of <paramref name="signal"/>.</summary>
    public static double ZeroCrossingFrequency(ReadOnlySpan<short> signal, int rate)
    {
        var first = double.NaN;
        var last = double.NaN;
        var crossings = 0;
        for (var i = 1; i < signal.Length; i++)
        {
            if (signal[i - 1] < 0 && signal[i] >= 0)
            {
                var at = i - 1 + ((double)-signal[i - 1] / (signal[i] - signal[i - 1]));
                if (crossings == 0)
                {
                    first = at;
                }

                last = at;
                crossings++;
            }
        }

        return crossings < 2 ? 0 : (crossings - 1) * rate / (last - first);
    }

    public static double Rms(ReadOnlySpan<short> signal)
    {
        var sum = 0.0;
        foreach (var s in signal)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / Math.Max(1, signal.Length));
    }

    /// <summary>Splits <paramref name="total"/> into random chunk lengths between 1 and <paramref name="max"/>.</summary>
    public static List<int> RandomChunks(int total, int max, Random random)
    {
        var chunks = new List<int>();
        while (total > 0)
        {
            var n = Math.Min(total, random.Next(1, max + 1));
            chunks.Add(n);
            total -= n;
        }

        return chunks;
    }
}
