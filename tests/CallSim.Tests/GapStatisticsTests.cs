using AiAgent.CallSim.Reporting;

namespace AiAgent.CallSim.Tests;

public sealed class GapStatisticsTests
{
    private const long Frequency = 1_000_000; // microsecond ticks keep the arithmetic exact

    [Fact]
    public void GapsComeFromConsecutiveArrivals()
    {
        long[] arrivalsUs = [0, 20_000, 40_000, 60_000, 100_000, 100_000, 121_000];
        var gaps = GapStatistics.GapsMs(arrivalsUs, Frequency);
        Assert.Equal(new[] { 20.0, 20, 20, 40, 0, 21 }, gaps);
    }

    [Fact]
    public void StatisticsOfAKnownSequence()
    {
        // 101 arrivals, 100 gaps: 97 of 20 ms, one of 24, one burst (0 ms) and one 60 ms underrun.
        var arrivals = new List<long> { 0 };
        void Gap(long ms) => arrivals.Add(arrivals[^1] + (ms * 1000));
        for (var i = 0; i < 97; i++)
        {
            Gap(20);
        }

        Gap(24);
        Gap(0);
        Gap(60);

        var stats = GapStatistics.FromArrivals(arrivals.ToArray(), Frequency);

        Assert.Equal(100, stats.Count);
        Assert.Equal(20, stats.P50Ms);
        Assert.Equal(24, stats.P99Ms); // nearest rank: the 99th of the 100 sorted gaps
        Assert.Equal(60, stats.MaxMs);
        Assert.Equal(2, stats.OutsideTolerance);
    }

    [Fact]
    public void NearestRankPercentile()
    {
        double[] sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
        Assert.Equal(5, TimingStats.Percentile(sorted, 50));
        Assert.Equal(10, TimingStats.Percentile(sorted, 99));
        Assert.Equal(1, TimingStats.Percentile(sorted, 0));
        Assert.Equal(10, TimingStats.Percentile(sorted, 100));
    }

    [Fact]
    public void FewerThanTwoArrivalsHaveNoGaps()
    {
        var stats = GapStatistics.FromArrivals([5], Frequency);
        Assert.Equal(0, stats.Count);
        Assert.Null(stats.P99Ms);
    }
}
