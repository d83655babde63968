using System.Net;
using System.Text.Json;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Simulation;
using AiAgent.Grains.Tests;

namespace AiAgent.Silo.Tests;

/// <summary>A CallSim call over real AudioSocket TCP through the silo's co-hosted gateway, then <c>/metrics</c>.</summary>
[Collection(SiloCollection.Name)]
public sealed class GatewayCallMetricsTests(SiloHostFixture silo)
{

    [Fact]
    public async Task A_call_through_the_gateway_is_live_in_metrics_then_counted_by_provider_with_one_turn_observation_per_turn()
    {
        var before = await PrometheusScrape.ReadAsync(silo.Http);
        var callId = Guid.NewGuid();
        var running = AsteriskSimulator.RunCallAsync(new CallSettings
        {
            Port = silo.AudioSocketPort,
            CallId = callId,
            Audio = CallAudio.FromWav(HelloWav, CallFormat.Slin),
            Tail = TimeSpan.FromSeconds(7),
        });

        // During the call: the active-calls gauge and the open connection, labelled by provider where they are call metrics.
        var during = await PrometheusScrape.ReadUntilAsync(silo.Http, s => PrometheusScrape.LocalDelta(before, s, "ai_agent_active_calls") == 1);
        Assert.Equal(1, during.Sum("ai_agent_gateway_connections_active") - before.Sum("ai_agent_gateway_connections_active"));
        var summary = (await running).Summary;
        Assert.True(summary.Passed, summary.Error);

        // The turns this call took, from its stored record (the call API).
        var turns = await TurnsTakenAsync(callId);
        Assert.True(turns >= 1, "the caller's utterance was answered");
        var after = await PrometheusScrape.ReadUntilAsync(silo.Http, s =>
            PrometheusScrape.LocalDelta(before, s, "ai_agent_calls_ended_total") == 1 && PrometheusScrape.LocalDelta(before, s, "ai_agent_turn_response_seconds_count") >= turns);

        Assert.Equal(turns, PrometheusScrape.LocalDelta(before, after, "ai_agent_turn_response_seconds_count"));
        Assert.InRange(PrometheusScrape.LocalDelta(before, after, "ai_agent_turn_response_seconds_sum"), 0.0, 10.0 * turns);
        Assert.Equal(1, PrometheusScrape.LocalDelta(before, after, "ai_agent_greeting_latency_seconds_count"));
        Assert.Equal(0, PrometheusScrape.LocalDelta(before, after, "ai_agent_active_calls"));
        Assert.Equal(1, PrometheusScrape.LocalDelta(before, after, "ai_agent_calls_started_total"));
        Assert.True(PrometheusScrape.LocalDelta(before, after, "ai_agent_platform_added_latency_seconds_count") >= 1 + turns, "one platform-latency observation per utterance played");
        Assert.InRange(PrometheusScrape.LocalDelta(before, after, "ai_agent_platform_added_latency_seconds_sum"), 0.0, 5.0 * (1 + turns));
        var framesIn = after.Sum("ai_agent_gateway_frames_in_total") - before.Sum("ai_agent_gateway_frames_in_total");
        Assert.InRange(framesIn, summary.FramesSent - 5, summary.FramesSent);
        var framesOut = after.Sum("ai_agent_gateway_frames_out_total") - before.Sum("ai_agent_gateway_frames_out_total");
        Assert.InRange(framesOut, 1, summary.FramesReceived);
        Assert.True(PrometheusScrape.LocalDelta(before, after, "ai_agent_caller_frames_total") > 0);
        Assert.DoesNotContain(callId.ToString(), after.Text, StringComparison.OrdinalIgnoreCase);
    }

    private static string HelloWav
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, "tools", "CallSim", "assets", "hello.wav");
                if (File.Exists(path))
                {
                    return path;
                }
            }

            throw new FileNotFoundException("tools/CallSim/assets/hello.wav not found above the test's directory");
        }
    }

    private async Task<int> TurnsTakenAsync(Guid callId)
    {
        using var timeout = new CancellationTokenSource(CallProbe.Timeout);
        while (true)
        {
            using var response = await silo.Http.GetAsync($"/api/calls/{callId}/history", timeout.Token);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                using var history = JsonDocument.Parse(await response.Content.ReadAsStringAsync(timeout.Token));
                return history.RootElement.GetProperty("turnLatenciesMs").GetArrayLength();
            }

            await Task.Delay(100, timeout.Token); // the record is written as the call ends, just after the socket closes
        }
    }


}
