using System.Globalization;

namespace AiAgent.AudioQuality;

/// <summary>Runs every figure for every resampler and prints a markdown table.</summary>
internal sealed class QualityReport(IReadOnlyList<IResampler> resamplers)
{
    private const int Telephony = 8_000;
    private const int Wideband = 24_000;
    private const double ToneHz = 997;

    private readonly List<Row> _rows = [];

    public void Run()
    {
        // 997 Hz (AES17): a tone commensurate with the sample rate (1,000/8,000) repeats its rounding errors every 8
        // samples, which hides quantisation noise.
        var tone = Measurements.Tone(Telephony, ToneHz);
        var noise = Measurements.Noise(Telephony);
        Add("round-trip delay 8k→24k→8k, measured (ms)", "", higherIsBetter: false, threshold: null, r =>
        {
            var delay = Measurements.MeasureDelay(noise, RoundTrip(r, noise), Telephony);
            var declared = r.DeclaredDelay(Telephony, Wideband) is { } up && r.DeclaredDelay(Wideband, Telephony) is { } down
                ? $" (declared {(up * Telephony / Wideband) + down})"
                : "";
            return (delay * 1000.0 / Telephony, $"{delay * 1000.0 / Telephony:F3}{declared}");
        });

        var kilohertz = Measurements.Tone(Telephony, 1_000);
        Add("1 kHz 8k→24k→8k SNR, delay-compensated (dB)", "≥ 80", higherIsBetter: true, threshold: 80, r =>
        {
            var delay = Measurements.MeasureDelay(noise, RoundTrip(r, noise), Telephony);
            var snr = Measurements.RoundTripSnr(kilohertz, RoundTrip(r, kilohertz), Telephony, delay);
            return (snr, snr > 150 ? "∞ (identical)" : $"{snr:F1}");
        });

        Add("997 Hz 8k→24k→8k SNR, delay-compensated (dB)", "≥ 80", higherIsBetter: true, threshold: 80, r =>
        {
            var delay = Measurements.MeasureDelay(noise, RoundTrip(r, noise), Telephony);
            var snr = Measurements.RoundTripSnr(tone, RoundTrip(r, tone), Telephony, delay);
            return (snr, snr > 150 ? "∞ (identical)" : $"{snr:F1}");
        });

        Add("997 Hz 8k→24k→8k SNR, sine fit / THD+N (dB)", "", higherIsBetter: true, threshold: null, r =>
        {
            var snr = Measurements.SineFitSnr(RoundTrip(r, tone), Telephony, ToneHz);
            return (snr, $"{snr:F1}");
        });

        // The round trip hits the original sample instants, so any interpolator that keeps them (even linear) scores
        // well above; these one-way figures show imaging on the way up and the noise floor on the way down.
        var tone24 = Measurements.Tone(Wideband, ToneHz);
        Add("997 Hz 8k→24k SNR, sine fit / THD+N (dB)", "", higherIsBetter: true, threshold: null, r =>
        {
            var snr = Measurements.SineFitSnr(r.Resample(tone, Telephony, Wideband), Wideband, ToneHz);
            return (snr, $"{snr:F1}");
        });
        Add("997 Hz 24k→8k SNR, sine fit / THD+N (dB)", "", higherIsBetter: true, threshold: null, r =>
        {
            var snr = Measurements.SineFitSnr(r.Resample(tone24, Wideband, Telephony), Telephony, ToneHz);
            return (snr, $"{snr:F1}");
        });

        Add("pass band 300–3,400 Hz ripple, 8k→24k→8k (dB)", "≤ 0.1", higherIsBetter: false, threshold: 0.1,
            r => Ripple(r, roundTrip: true));
        Add("pass band 300–3,400 Hz ripple, 24k→8k (dB)", "≤ 0.1", higherIsBetter: false, threshold: 0.1,
            r => Ripple(r, roundTrip: false));

        foreach (var frequency in new[] { 5_000, 10_000 })
        {
            var high = Measurements.Tone(Wideband, frequency);
            Add($"{frequency / 1000} kHz tone 24k→8k attenuation (dB)", "≥ 70", higherIsBetter: true, threshold: 70, r =>
            {
                var (db, silent) = Measurements.Attenuation(high, r.Resample(high, Wideband, Telephony), Wideband, Telephony);
                return (db, silent ? $"≥ {db:F1} (all 0)" : $"{db:F1}");
            });
        }

        Add("worst alias of tones 4.2–11.8 kHz, 24k→8k (dB)", "≥ 70", higherIsBetter: true, threshold: 70, r =>
        {
            var (worst, silent) = (double.PositiveInfinity, true);
            for (var frequency = 4_200; frequency < 12_000; frequency += 200)
            {
                var high = Measurements.Tone(Wideband, frequency);
                var (db, allZero) = Measurements.Attenuation(high, r.Resample(high, Wideband, Telephony), Wideband, Telephony);
                (worst, silent) = db < worst ? (db, allZero) : (worst, silent);
            }

            return (worst, silent ? $"≥ {worst:F1} (all 0)" : $"{worst:F1}");
        });
    }

    public void Print(TextWriter writer)
    {
        writer.Write("| figure | target |");
        foreach (var r in resamplers)
        {
            writer.Write($" {r.Name} |");
        }

        writer.WriteLine();
        writer.Write("|---|---|");
        foreach (var _ in resamplers)
        {
            writer.Write("---:|");
        }

        writer.WriteLine();
        foreach (var row in _rows)
        {
            writer.Write($"| {row.Figure} | {row.Target} |");
            foreach (var cell in row.Cells)
            {
                writer.Write($" {cell.Text} |");
            }

            writer.WriteLine();
        }
    }

    /// <summary>The figures where ours (the first resampler) misses its target.</summary>
    public List<string> MissedTargets()
    {
        var misses = new List<string>();
        foreach (var row in _rows)
        {
            if (row.Threshold is { } threshold)
            {
                var ours = row.Cells[0].Value;
                var ok = row.HigherIsBetter ? ours >= threshold : ours <= threshold;
                if (!ok)
                {
                    misses.Add($"{row.Figure}: {ours.ToString("F3", CultureInfo.InvariantCulture)} vs target {row.Target}");
                }
            }
        }

        return misses;
    }

    private static short[] RoundTrip(IResampler r, short[] input) =>
        r.Resample(r.Resample(input, Telephony, Wideband), Wideband, Telephony);

    /// <summary>Gain of a sine fit at 300, 400 ... 3,400 Hz; the ripple is the highest minus the lowest gain.</summary>
    private static (double, string) Ripple(IResampler r, bool roundTrip)
    {
        var min = double.MaxValue;
        var max = double.MinValue;
        for (var frequency = 300; frequency <= 3_400; frequency += 100)
        {
            double gain;
            if (roundTrip)
            {
                var input = Measurements.Tone(Telephony, frequency);
                var output = RoundTrip(r, input);
                gain = Measurements.FitSine(output, Telephony, frequency).Amplitude / Measurements.FitSine(input, Telephony, frequency).Amplitude;
            }
            else
            {
                var input = Measurements.Tone(Wideband, frequency);
                var output = r.Resample(input, Wideband, Telephony);
                gain = Measurements.FitSine(output, Telephony, frequency).Amplitude / Measurements.FitSine(input, Wideband, frequency).Amplitude;
            }

            var db = 20 * Math.Log10(gain);
            min = Math.Min(min, db);
            max = Math.Max(max, db);
        }

        return (max - min, $"{max - min:F4}");
    }

    private void Add(string figure, string target, bool higherIsBetter, double? threshold, Func<IResampler, (double Value, string Text)> measure)
    {
        var cells = new List<(double Value, string Text)>();
        foreach (var r in resamplers)
        {
            cells.Add(r.Unavailable is null ? measure(r) : (double.NaN, "n/a"));
        }

        _rows.Add(new Row(figure, target, higherIsBetter, threshold, cells));
    }

    private sealed record Row(string Figure, string Target, bool HigherIsBetter, double? Threshold, List<(double Value, string Text)> Cells);
}
