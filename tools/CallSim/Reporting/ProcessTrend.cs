namespace AiAgent.CallSim.Reporting;

/// <summary>One figure of a process sampled over a run: where it started and ended, its range and its drift.</summary>
/// <param name="First">The first sample.</param>
/// <param name="Last">The last sample.</param>
/// <param name="Min">The smallest sample.</param>
/// <param name="Max">The largest sample.</param>
/// <param name="SlopePerTenMinutes">
/// The least-squares slope over the samples after the warm-up, per 10 minutes: near 0 for a figure that is flat, the
/// growth per 10 minutes for a leak.
/// </param>
public sealed record ResourceTrend(double First, double Last, double Min, double Max, double SlopePerTenMinutes)
{
    /// <summary>
    /// The trend of <paramref name="values"/> sampled at <paramref name="seconds"/>; null for no samples. The slope uses
    /// the samples up to <paramref name="steadyUntilSeconds"/> (all when null), less the first
    /// <paramref name="warmUpShare"/> of those.
    /// </summary>
    public static ResourceTrend? From(IReadOnlyList<double> seconds, IReadOnlyList<double> values, double warmUpShare, double? steadyUntilSeconds = null)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var until = steadyUntilSeconds is { } end ? Math.Max(1, seconds.Count(s => s <= end)) : values.Count;
        var from = Math.Min((int)(until * warmUpShare), until - 1);
        return new ResourceTrend(values[0], values[^1], values.Min(), values.Max(), Slope(seconds, values, from, until) * 600);
    }

    private static double Slope(IReadOnlyList<double> x, IReadOnlyList<double> y, int from, int until)
    {
        var n = until - from;
        if (n < 2)
        {
            return 0;
        }

        double meanX = 0, meanY = 0;
        for (var i = from; i < until; i++)
        {
            meanX += x[i];
            meanY += y[i];
        }

        meanX /= n;
        meanY /= n;
        double covariance = 0, variance = 0;
        for (var i = from; i < until; i++)
        {
            covariance += (x[i] - meanX) * (y[i] - meanY);
            variance += (x[i] - meanX) * (x[i] - meanX);
        }

        return variance == 0 ? 0 : covariance / variance;
    }
}

/// <summary>
/// The platform process sampled every few seconds over a run (<c>--platform-pid</c>): resident set, threads and open
/// handles, each with its drift, so a soak shows whether they stay flat. The slope covers the steady part: the first
/// <see cref="WarmUpShare"/> of the samples (calls arriving, pools and caches filling) is left out, and with a steady
/// arrival so is the drain after the last call arrived (fewer calls live is no trend of the platform's).
/// </summary>
/// <param name="Samples">Samples taken.</param>
/// <param name="IntervalSeconds">Time between samples.</param>
/// <param name="RssMb">Resident set, MiB.</param>
/// <param name="Threads">Threads.</param>
/// <param name="OpenHandles">Open file descriptors.</param>
/// <param name="GcHeapMb">The managed heap after the platform's last collection, MiB (with <c>--metrics</c>): the leak signal, where RSS also holds the GC's reserve.</param>
/// <param name="SteadyUntilSeconds">The slopes' window ends here (the last arrival of a steady run); null: the whole run.</param>
public sealed record ProcessTrend(int Samples, double IntervalSeconds, ResourceTrend? RssMb, ResourceTrend? Threads, ResourceTrend? OpenHandles, double? SteadyUntilSeconds = null, ResourceTrend? GcHeapMb = null)
{
    /// <summary>The share of the run left out of the slopes as warm-up.</summary>
    public const double WarmUpShare = 0.2;

    /// <summary>
    /// The trend of samples taken <paramref name="intervalSeconds"/> apart (at <see cref="TimedSample.Seconds"/> into the
    /// run), its slopes over the samples up to <paramref name="steadyUntilSeconds"/> (all when null).
    /// </summary>
    public static ProcessTrend From(IReadOnlyList<TimedSample> samples, double intervalSeconds, double? steadyUntilSeconds = null)
    {
        return new ProcessTrend(
            samples.Count,
            intervalSeconds,
            Trend(samples, static s => s.RssBytes / (1024.0 * 1024.0), steadyUntilSeconds),
            Trend(samples, static s => s.Threads, steadyUntilSeconds),
            Trend(samples, static s => s.OpenHandles, steadyUntilSeconds),
            steadyUntilSeconds,
            Trend(samples, static s => s.GcHeapBytes / (1024.0 * 1024.0), steadyUntilSeconds));
    }

    // Only the samples that have the figure (a scrape can fail; /proc may not be readable): null when none has it.
    private static ResourceTrend? Trend(IReadOnlyList<TimedSample> samples, Func<PlatformSample, double?> figure, double? steadyUntilSeconds)
    {
        var known = samples.Where(s => figure(s.Sample) is not null).ToArray();
        return ResourceTrend.From([.. known.Select(static s => s.Seconds)], [.. known.Select(s => figure(s.Sample)!.Value)], WarmUpShare, steadyUntilSeconds);
    }
}

/// <summary>A platform sample and when it was taken.</summary>
/// <param name="Seconds">Seconds since the run started.</param>
/// <param name="Sample">The sample.</param>
public readonly record struct TimedSample(double Seconds, PlatformSample Sample);
