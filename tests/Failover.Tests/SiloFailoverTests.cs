namespace AiAgent.Failover.Tests;

/// <summary>
/// A silo killed or shut down mid-call with real processes (docs/failover-harness.md): no call is dropped, every turn
/// after the event is answered, and the wait for an answer spanning the event stays bounded.
/// </summary>
public sealed class SiloFailoverTests
{
    /// <summary>The issue's target is a caller-heard gap p99 of 2 s; a loaded CI machine gets a margin on top.</summary>
    private static readonly TimeSpan MaxWaitSpanningEvent = TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData("kill")]
    [InlineData("term")]
    public async Task No_call_is_dropped_and_every_turn_after_the_event_is_answered(string scenario)
    {
        var output = Directory.CreateTempSubdirectory("failover-test-");
        var (exitCode, log, report) = await HarnessProcess.RunAsync(["--scenario", scenario, "--calls", "4", "--at", "12", "--after", "10"], output.FullName);

        Assert.True(exitCode == 0, $"the harness exited with {exitCode}:\n{log}");
        Assert.Empty(report.GetProperty("failures").EnumerateArray());
        var run = Assert.Single(report.GetProperty("runs").EnumerateArray());
        var calls = run.GetProperty("calls").EnumerateArray().ToList();
        Assert.Equal(4, calls.Count);
        Assert.Contains(calls, c => c.GetProperty("onTarget").GetBoolean()); // the event hit calls, not an idle silo
        Assert.All(calls, c =>
        {
            var id = c.GetProperty("callId").GetString();
            Assert.False(c.GetProperty("dropped").GetBoolean(), $"call {id} dropped: {c.GetProperty("dropReason")}");
            Assert.True(c.GetProperty("turnsAfterEvent").GetInt32() > 0, $"call {id} had no turn after the event");
            Assert.Equal(0, c.GetProperty("unansweredAfterEvent").GetInt32());
            Assert.True(c.GetProperty("transcriptBeforeAndAfter").GetBoolean(), $"call {id}: transcript not continued");
            var wait = TimeSpan.FromMilliseconds(c.GetProperty("longestWaitSpanningEventMs").GetDouble());
            Assert.True(wait <= MaxWaitSpanningEvent, $"call {id} waited {wait.TotalMilliseconds:0} ms for an answer across the {scenario}");
        });
    }
}
