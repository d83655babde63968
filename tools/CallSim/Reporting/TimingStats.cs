namespace AiAgent.CallSim.Reporting;

/// <summary>Percentiles of a set of durations, in milliseconds (nearest-rank percentiles; null when empty).</summary>
public sealed record TimingStats(int Count, double? P50Ms, double? P99Ms, double? MaxMs)
{
    /// <summary>No samples.</summary>
    public static TimingStats Empty { get; } = new(0, null, null, null);

    /// <summary>Computes the statistics; sorts <paramref name="valuesMs"/> in place.</summary>
    public static TimingStats FromValues(Span<double> valuesMs)
    {
        if (valuesMs.IsEmpty)
        {
            return Empty;
        }

        valuesMs.Sort();
        return new TimingStats(valuesMs.Length, Percentile(valuesMs, 50), Percentile(valuesMs, 99), valuesMs[^1]);
    }

    /// <summary>
    /// Nearest-rank percentile of sorted values: the smallest value with at least <paramref name="percent"/> % of the
    /// values at or below it (so p99 of 100 values is the 99th, and of 10 values the 10th).
    /// </summary>
    public static double Percentile(ReadOnlySpan<double> sorted, double percent)
    {
        if (sorted.IsEmpty)
        {
            throw new ArgumentException("no values", nameof(sorted));
        }

        var rank = (int)Math.Ceiling(percent / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank, 1, sorted.Length) - 1];
    }
}
