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
}
