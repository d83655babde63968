namespace AiAgent.CallSim.Reporting;

/// <summary>
/// Gaps between consecutive audio frames received on a call, measured at arrival with a monotonic clock. Frames that
/// arrive in one TCP read share an arrival time, so a burst shows up as gaps near 0 ms.
/// </summary>
/// <param name="Count">Number of gaps (frames received minus one, per call).</param>
/// <param name="P50Ms">Median gap.</param>
/// <param name="P99Ms">99th percentile gap.</param>
/// <param name="MaxMs">Largest gap (a pause between agent turns shows up here).</param>
/// <param name="OutsideTolerance">Gaps outside 20 ± 5 ms: bursts (too short) and underruns or pauses (too long).</param>
public sealed record GapStatistics(int Count, double? P50Ms, double? P99Ms, double? MaxMs, int OutsideTolerance)
{
    /// <summary>The nominal gap: one 20 ms frame.</summary>
    public const double NominalMs = 20;

    /// <summary>Allowed deviation from <see cref="NominalMs"/> before a gap counts as outside tolerance.</summary>
    public const double ToleranceMs = 5;

    /// <summary>No gaps.</summary>
    public static GapStatistics Empty { get; } = new(0, null, null, null, 0);

    /// <summary>Gaps between consecutive <see cref="System.Diagnostics.Stopwatch"/> timestamps, in milliseconds.</summary>
    public static double[] GapsMs(ReadOnlySpan<long> arrivalTimestamps, long timestampFrequency)
    {
        if (arrivalTimestamps.Length < 2)
        {
            return [];
        }

        var gaps = new double[arrivalTimestamps.Length - 1];
        for (var i = 1; i < arrivalTimestamps.Length; i++)
        {
            gaps[i - 1] = (arrivalTimestamps[i] - arrivalTimestamps[i - 1]) * 1000.0 / timestampFrequency;
        }

        return gaps;
    }

    /// <summary>Statistics of the gaps between consecutive arrival timestamps.</summary>
    public static GapStatistics FromArrivals(ReadOnlySpan<long> arrivalTimestamps, long timestampFrequency) =>
        FromGaps(GapsMs(arrivalTimestamps, timestampFrequency));

    /// <summary>Statistics of gaps already in milliseconds; sorts <paramref name="gapsMs"/> in place.</summary>
    public static GapStatistics FromGaps(Span<double> gapsMs)
    {
        var outside = 0;
        foreach (var gap in gapsMs)
        {
            if (Math.Abs(gap - NominalMs) > ToleranceMs)
            {
                outside++;
            }
        }

        var timing = TimingStats.FromValues(gapsMs);
        return new GapStatistics(timing.Count, timing.P50Ms, timing.P99Ms, timing.MaxMs, outside);
    }
}
