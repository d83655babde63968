using AiAgent.CallSim.Reporting;

namespace AiAgent.CallSim.Tests;

public sealed class PlatformProcessTests
{
    [Fact]
    public void A_live_process_has_cpu_time_that_grows_and_a_resident_set()
    {
        var before = PlatformProcess.Sample(Environment.ProcessId);
        var spin = System.Diagnostics.Stopwatch.StartNew();
        var x = 0.0;
        while (spin.ElapsedMilliseconds < 200)
        {
            x += Math.Sqrt(x + 1); // burn CPU: the probe must see it
        }

        var after = PlatformProcess.Sample(Environment.ProcessId);

        Assert.True(x > 0);
        Assert.True(after.CpuTime > before.CpuTime, $"{before.CpuTime} -> {after.CpuTime}");
        Assert.True(after.RssBytes > 1024 * 1024);
    }

    [Fact]
    public void No_such_process_is_an_error_naming_the_option()
    {
        var error = Assert.Throws<InvalidOperationException>(() => PlatformProcess.Sample(int.MaxValue));
        Assert.Contains("--platform-pid 2147483647", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VmRss_is_read_from_proc_status_in_KiB()
    {
        Assert.Equal(123_456L * 1024, PlatformProcess.ParseVmRssBytes("Name:\tdotnet\nVmPeak:\t  999999 kB\nVmRSS:\t  123456 kB\nThreads:\t40\n"));
        Assert.Null(PlatformProcess.ParseVmRssBytes("Name:\tkthreadd\nThreads:\t1\n"));
    }

    [Fact]
    public void Threads_are_read_from_proc_status()
    {
        Assert.Equal(40, PlatformProcess.ParseThreads("Name:\tdotnet\nVmRSS:\t  123456 kB\nThreads:\t40\nSigQ:\t0/1\n"));
        Assert.Null(PlatformProcess.ParseThreads("Name:\tdotnet\n"));
    }

    [Fact]
    public void A_live_process_has_threads_and_open_handles()
    {
        using var held = File.OpenRead(typeof(PlatformProcessTests).Assembly.Location);
        var sample = PlatformProcess.Sample(Environment.ProcessId);

        Assert.True(sample.Threads > 1, $"threads {sample.Threads}");
        Assert.True(sample.OpenHandles > 3, $"handles {sample.OpenHandles}");
    }

    [Fact]
    public void A_trend_is_flat_for_a_steady_figure_and_gives_the_growth_of_a_leak_per_ten_minutes()
    {
        // One sample a minute for 10 minutes: RSS steady after a warm-up jump, threads steady, handles +3 a minute.
        var samples = Enumerable.Range(0, 11)
            .Select(minute => new TimedSample(minute * 60, new PlatformSample(TimeSpan.Zero, (minute == 0 ? 100L : 300L) * 1024 * 1024, 40, 100 + (3 * minute))))
            .ToArray();

        var trend = ProcessTrend.From(samples, 60);

        Assert.Equal(11, trend.Samples);
        Assert.Equal(new ResourceTrend(100, 300, 100, 300, 0), trend.RssMb); // the warm-up jump is left out of the slope
        Assert.Equal(0, trend.Threads!.SlopePerTenMinutes);
        Assert.Equal(30, trend.OpenHandles!.SlopePerTenMinutes, precision: 9);
        Assert.Null(ProcessTrend.From([new TimedSample(0, new PlatformSample(TimeSpan.Zero, null))], 10).RssMb);
    }

    [Fact]
    public void A_steady_run_leaves_the_drain_after_its_last_arrival_out_of_the_drift()
    {
        // Handles flat at 500 while calls arrive (10 minutes), then falling 40 a minute as the calls still up end.
        var samples = Enumerable.Range(0, 16)
            .Select(minute => new TimedSample(minute * 60, new PlatformSample(TimeSpan.Zero, 300L * 1024 * 1024, 40, minute <= 10 ? 500 : 500 - (40 * (minute - 10)))))
            .ToArray();

        var steady = ProcessTrend.From(samples, 60, steadyUntilSeconds: 600);
        var whole = ProcessTrend.From(samples, 60);

        Assert.Equal(0, steady.OpenHandles!.SlopePerTenMinutes, precision: 9);
        Assert.True(whole.OpenHandles!.SlopePerTenMinutes < -100, $"whole-run drift {whole.OpenHandles.SlopePerTenMinutes}");
        Assert.Equal((300, 500, 300), (steady.OpenHandles.Min, steady.OpenHandles.First, steady.OpenHandles.Last));
        Assert.Equal(600, steady.SteadyUntilSeconds);
        Assert.Null(steady.GcHeapMb); // no sample had it (no --metrics)
    }

    [Fact]
    public void The_GC_heap_trend_uses_the_samples_that_have_it()
    {
        // A scrape failed at minute 2: that sample has no heap figure, the others still make a trend.
        var samples = Enumerable.Range(0, 6)
            .Select(minute => new TimedSample(minute * 60, new PlatformSample(TimeSpan.Zero, 300L << 20, 40, 100, minute == 2 ? null : (50L + minute) << 20)))
            .ToArray();

        var heap = ProcessTrend.From(samples, 60).GcHeapMb!;

        Assert.Equal((50, 55, 50, 55), (heap.First, heap.Last, heap.Min, heap.Max));
        Assert.Equal(10, heap.SlopePerTenMinutes, precision: 9);
    }
}
