namespace AiAgent.AudioQuality;

/// <summary>
/// The quality figures of issue 3, on synthetic 16-bit signals. Every signal lasts <see cref="Seconds"/> s; the
/// first and last <see cref="EdgeSeconds"/> s of the output are ignored so the filters' onset and tail transients
/// do not count.
/// </summary>
internal static class Measurements
{
    public const double Seconds = 2;
    public const double EdgeSeconds = 0.25;
    public const double ToneAmplitude = 23_197; // -3 dBFS

    public static short[] Tone(int rate, double frequency, double amplitude = ToneAmplitude)
    {
        var samples = new short[(int)(rate * Seconds)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)Math.Round(amplitude * Math.Sin(2 * Math.PI * frequency * i / rate));
        }

        return samples;
    }

    /// <summary>
    /// Delay-compensated SNR of a round trip: 10·log10(Σ x[n]² / Σ (y[n + d] − x[n])²) over the steady window, where
    /// d is the round trip's delay in samples (see <see cref="MeasureDelay"/>). Gain error, phase error, aliasing,
    /// imaging and rounding noise all count as noise.
    /// </summary>
    public static double RoundTripSnr(short[] input, short[] output, int rate, int delay)
    {
        var edge = (int)(rate * EdgeSeconds);
        double signal = 0, noise = 0;
        for (var n = edge; n < input.Length - edge; n++)
        {
            var m = n + delay;
            if (m < 0 || m >= output.Length)
            {
                continue;
            }

            signal += (double)input[n] * input[n];
            var e = output[m] - (double)input[n];
            noise += e * e;
        }

        return 10 * Math.Log10(signal / Math.Max(noise, 1e-9));
    }

    /// <summary>
    /// SNR after a least-squares fit of a sinusoid at <paramref name="frequency"/> (plus DC) to the steady window:
    /// the fitted tone is the signal, the residual the noise (THD+N). Insensitive to delay and gain.
    /// </summary>
    public static double SineFitSnr(short[] output, int rate, double frequency)
    {
        var (amplitude, residualRms) = FitSine(output, rate, frequency);
        return 20 * Math.Log10(amplitude / Math.Sqrt(2) / Math.Max(residualRms, 1e-9));
    }

    /// <summary>Amplitude of the fitted sinusoid at <paramref name="frequency"/> and the RMS of what is left.</summary>
    public static (double Amplitude, double ResidualRms) FitSine(short[] output, int rate, double frequency)
    {
        var edge = (int)(rate * EdgeSeconds);
        var count = output.Length - (2 * edge);
        var w = 2 * Math.PI * frequency / rate;

        // Normal equations for y ≈ a·sin + b·cos + c.
        double ss = 0, sc = 0, s1 = 0, cc = 0, c1 = 0, n1 = 0, ys = 0, yc = 0, y1 = 0;
        for (var n = edge; n < edge + count; n++)
        {
            double s = Math.Sin(w * n), c = Math.Cos(w * n), y = output[n];
            ss += s * s; sc += s * c; s1 += s; cc += c * c; c1 += c; n1 += 1;
            ys += y * s; yc += y * c; y1 += y;
        }

        var (a, b, d) = Solve3([ss, sc, s1, sc, cc, c1, s1, c1, n1], [ys, yc, y1]);
        double residual = 0;
        for (var n = edge; n < edge + count; n++)
        {
            var e = output[n] - ((a * Math.Sin(w * n)) + (b * Math.Cos(w * n)) + d);
            residual += e * e;
        }

        return (Math.Sqrt((a * a) + (b * b)), Math.Sqrt(residual / count));
    }

    /// <summary>
    /// Input RMS over output RMS of the steady window, in dB: everything left in the output counts. When every output
    /// sample rounds to 0 the alias is below half an LSB, and the figure is the lower bound input RMS / 0.5
    /// (<paramref name="Silent"/> true).
    /// </summary>
    public static (double Db, bool Silent) Attenuation(short[] input, short[] output, int inputRate, int outputRate)
    {
        var residual = Rms(output, outputRate);
        return residual == 0
            ? (20 * Math.Log10(Rms(input, inputRate) / 0.5), true)
            : (20 * Math.Log10(Rms(input, inputRate) / residual), false);
    }

    public static double Rms(short[] signal, int rate)
    {
        var edge = (int)(rate * EdgeSeconds);
        double sum = 0;
        for (var n = edge; n < signal.Length - edge; n++)
        {
            sum += (double)signal[n] * signal[n];
        }

        return Math.Sqrt(sum / (signal.Length - (2 * edge)));
    }

    /// <summary>White noise at <paramref name="rate"/>, for delay measurement (a tone's correlation is periodic).</summary>
    public static short[] Noise(int rate)
    {
        var random = new Random(1);
        var samples = new short[(int)(rate * Seconds)];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (short)random.Next(-8_000, 8_001);
        }

        return samples;
    }

    /// <summary>The integer lag in [−64, 512] samples at which <paramref name="output"/> best correlates with <paramref name="input"/>.</summary>
    public static int MeasureDelay(short[] input, short[] output, int rate)
    {
        var edge = (int)(rate * EdgeSeconds);
        var best = 0;
        var bestScore = double.MinValue;
        for (var lag = -64; lag <= 512; lag++)
        {
            double score = 0;
            for (var n = edge; n < input.Length - edge; n++)
            {
                var m = n + lag;
                if (m >= 0 && m < output.Length)
                {
                    score += (double)input[n] * output[m];
                }
            }

            if (score > bestScore)
            {
                bestScore = score;
                best = lag;
            }
        }

        return best;
    }

    private static (double, double, double) Solve3(double[] m, double[] v)
    {
        // Cramer's rule: the 3×3 system is well conditioned for windows of many periods.
        static double Det(double[] a) =>
            (a[0] * ((a[4] * a[8]) - (a[5] * a[7]))) - (a[1] * ((a[3] * a[8]) - (a[5] * a[6]))) + (a[2] * ((a[3] * a[7]) - (a[4] * a[6])));

        var det = Det(m);
        double Replace(int column)
        {
            var copy = (double[])m.Clone();
            for (var row = 0; row < 3; row++)
            {
                copy[(row * 3) + column] = v[row];
            }

            return Det(copy) / det;
        }

        return (Replace(0), Replace(1), Replace(2));
    }
}
