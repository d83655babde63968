namespace AiAgent.Failover.Tests;

/// <summary>
/// Issue 11 in dialplan mode with real processes (docs/failover-harness.md#dialplan-mode-over-several-gateways): the
/// calls run the documented reconnect loop over two gateways and the one carrying the most calls is killed mid-call.
/// Its calls come back through the loop on the other gateway with the same call id and go on talking: none dropped,
/// every turn after the kill answered, the transcript continued, the caller cut off for at most 2 s.
/// </summary>
public sealed class DialplanGatewayFailoverTests
{
    /// <summary>
    /// The 2 s: a reset socket makes <c>AudioSocket()</c> fail inside <c>TryExec()</c> and the loop waits 1 s
    /// (its <c>retry</c> branch) before connecting again.
    /// </summary>
    private static readonly TimeSpan MaxReconnectGap = TimeSpan.FromSeconds(2);

    /// <summary>The wait for an answer across the kill: the cut-off turn, the reconnect, and the caller speaking again, with a margin for CI.</summary>
    private static readonly TimeSpan MaxWaitSpanningEvent = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Calls_of_a_killed_gateway_come_back_through_the_reconnect_loop_and_none_is_dropped()
    {
        var output = Directory.CreateTempSubdirectory("failover-dialplan-test-");
        var (exitCode, log, report) = await HarnessProcess.RunAsync(
            ["--scenario", "gateway-kill", "--gateways", "2", "--calls", "4", "--at", "12", "--after", "10"], output.FullName);

        var calls = HarnessProcess.CallsOfTheOneRun(exitCode, log, report, expected: 4);
        Assert.All(calls, c =>
        {
            var id = c.GetProperty("callId").GetString();
            HarnessProcess.AssertTalkedOn(c, MaxWaitSpanningEvent, "kill");
            if (c.GetProperty("onTarget").GetBoolean())
            {
                Assert.Equal(2, c.GetProperty("mediaLegs").GetInt32()); // two AudioSocket sessions, one per gateway
                var gap = TimeSpan.FromMilliseconds(Assert.Single(c.GetProperty("legSwitchGapsMs").EnumerateArray()).GetDouble());
                Assert.True(gap <= MaxReconnectGap, $"call {id} was cut off for {gap.TotalMilliseconds:0} ms");
            }
            else
            {
                Assert.Equal(1, c.GetProperty("mediaLegs").GetInt32());
            }
        });
    }
}
