namespace AiAgent.Failover.Tests;

/// <summary>
/// A silo killed or shut down mid-call with real processes (docs/failover-harness.md): no call is dropped, every turn
/// after the event is answered, and the wait for an answer spanning the event stays bounded.
/// </summary>
public sealed class SiloFailoverTests
{
    /// <summary>The target is a caller-heard gap p99 of 2 s; a loaded CI machine gets a margin on top.</summary>
    private static readonly TimeSpan MaxWaitSpanningEvent = TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData("kill")]
    [InlineData("term")]
    public async Task No_call_is_dropped_and_every_turn_after_the_event_is_answered(string scenario)
    {
        var output = Directory.CreateTempSubdirectory("failover-test-");
        var (exitCode, log, report) = await HarnessProcess.RunAsync(["--scenario", scenario, "--calls", "4", "--at", "12", "--after", "10"], output.FullName);

        var calls = HarnessProcess.CallsOfTheOneRun(exitCode, log, report, expected: 4);
        Assert.All(calls, c => HarnessProcess.AssertTalkedOn(c, MaxWaitSpanningEvent, scenario));
    }
}
