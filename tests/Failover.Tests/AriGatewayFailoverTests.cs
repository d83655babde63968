namespace AiAgent.Failover.Tests;

/// <summary>
/// Issue 11 in ARI mode with real processes (docs/failover-harness.md#ari-mode): the gateway carrying the most media
/// legs drained or killed mid-call; every call on it gets a new leg to the other gateway in the same bridge, its caller
/// never leaves the bridge, no call is dropped, and the caller is cut off for at most the issue's 2 s.
/// </summary>
public sealed class AriGatewayFailoverTests
{
    /// <summary>The issue's bound on the audio gap across a gateway drain or kill.</summary>
    private static readonly TimeSpan MaxLegSwitchGap = TimeSpan.FromSeconds(2);

    /// <summary>As for a silo: the issue's 2 s for the caller-heard wait, with a margin for a loaded CI machine.</summary>
    private static readonly TimeSpan MaxWaitSpanningEvent = TimeSpan.FromSeconds(3);

    [Theory]
    [InlineData("gateway-drain")]
    [InlineData("gateway-kill")]
    public async Task Calls_on_the_lost_gateway_move_to_the_other_in_the_same_bridge_and_none_is_dropped(string scenario)
    {
        var output = Directory.CreateTempSubdirectory("failover-ari-test-");
        var (exitCode, log, report) = await HarnessProcess.RunAsync(
            ["--asterisk", "ari", "--scenario", scenario, "--gateways", "2", "--calls", "4", "--at", "12", "--after", "10"], output.FullName);

        var calls = HarnessProcess.CallsOfTheOneRun(exitCode, log, report, expected: 4); // the gateway with the most legs went away
        Assert.All(calls, c =>
        {
            var id = c.GetProperty("callId").GetString();
            Assert.False(c.GetProperty("dropped").GetBoolean(), $"call {id} dropped: {c.GetProperty("dropReason")}");
            Assert.True(c.GetProperty("callerStayedInBridge").GetBoolean(), $"call {id}: the caller left its bridge");
            Assert.Equal(0, c.GetProperty("unansweredAfterEvent").GetInt32());
            var wait = TimeSpan.FromMilliseconds(c.GetProperty("longestWaitSpanningEventMs").GetDouble());
            Assert.True(wait <= MaxWaitSpanningEvent, $"call {id} waited {wait.TotalMilliseconds:0} ms for an answer across the {scenario}");
            if (c.GetProperty("onTarget").GetBoolean())
            {
                Assert.Equal(2, c.GetProperty("mediaLegs").GetInt32());
                var gap = TimeSpan.FromMilliseconds(Assert.Single(c.GetProperty("legSwitchGapsMs").EnumerateArray()).GetDouble());
                Assert.True(gap <= MaxLegSwitchGap, $"call {id} was cut off for {gap.TotalMilliseconds:0} ms across the {scenario}");
            }
            else
            {
                Assert.Equal(1, c.GetProperty("mediaLegs").GetInt32());
            }
        });
    }
}
