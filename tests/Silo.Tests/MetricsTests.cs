using System.Diagnostics;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Tests;

namespace AiAgent.Silo.Tests;

[Collection(SiloCollection.Name)]
public sealed class MetricsTests(SiloHostFixture silo)
{
    private static readonly (string, string) Local = ("provider", "local");

    [Fact]
    public async Task Metrics_carry_the_provider_label_and_the_turn_histogram_counts_the_turns_taken()
    {
        var before = await PrometheusScrape.ReadAsync(silo.Http);
        await using var call = await CallProbe.StartAsync(silo.Client);
        await CallScript.PlayGreetingAsync(call);
        await CallScript.TakeTurnAsync(call);
        await CallScript.TakeTurnAsync(call);
        var snapshot = await call.WaitForSnapshotAsync(s => s.TurnLatenciesMs.Count == 2);

        var live = await PrometheusScrape.ReadUntilAsync(silo.Http, s => s.Sum("ai_agent_turn_response_seconds_count", Local) - before.Sum("ai_agent_turn_response_seconds_count", Local) >= 2);
        Assert.Equal(2, PrometheusScrape.LocalDelta(before, live, "ai_agent_turn_response_seconds_count"));
        var turnSeconds = PrometheusScrape.LocalDelta(before, live, "ai_agent_turn_response_seconds_sum");
        Assert.Equal(snapshot.TurnLatenciesMs.Sum() / 1000, turnSeconds, 0.01);
        Assert.InRange(turnSeconds, 0, 20);
        Assert.True(live.Has("ai_agent_turn_response_seconds_bucket", Local, ("le", "+Inf")), "the turn latency is a histogram with buckets");
        Assert.Equal(1, PrometheusScrape.LocalDelta(before, live, "ai_agent_greeting_latency_seconds_count"));
        Assert.Equal(1, PrometheusScrape.LocalDelta(before, live, "ai_agent_active_calls"));
        Assert.Equal(1, PrometheusScrape.LocalDelta(before, live, "ai_agent_calls_started_total"));
        Assert.True(PrometheusScrape.LocalDelta(before, live, "ai_agent_agent_chunks_total") >= 3, "greeting and two echoes were published");
        Assert.Equal(0, PrometheusScrape.LocalDelta(before, live, "ai_agent_agent_audio_bytes_total") % 320);

        await call.Grain.HangupAsync(CallEndReason.CallerHangup);
        var ended = await PrometheusScrape.ReadUntilAsync(silo.Http, s => s.Sum("ai_agent_calls_ended_total", Local) > before.Sum("ai_agent_calls_ended_total", Local));
        Assert.Equal(0, PrometheusScrape.LocalDelta(before, ended, "ai_agent_active_calls"));
        Assert.Equal(1, ended.Sum("ai_agent_calls_ended_total", Local, ("outcome", "CallerHangup")) - before.Sum("ai_agent_calls_ended_total", Local, ("outcome", "CallerHangup")));
        Assert.Equal(2 * CallScript.FramesPerTurn, PrometheusScrape.LocalDelta(before, ended, "ai_agent_caller_frames_total"));
        Assert.DoesNotContain("call_id", ended.Text, StringComparison.Ordinal);
        Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "TestResults"));
        await File.WriteAllTextAsync(Path.Combine(AppContext.BaseDirectory, "TestResults", "metrics-sample.txt"), live.Text);
    }

    [Fact]
    public async Task Orleans_meter_is_exported_beside_the_call_metrics()
    {
        var scrape = await PrometheusScrape.ReadAsync(silo.Http);

        Assert.Contains(scrape.Samples, s => s.Name.StartsWith("orleans_", StringComparison.Ordinal) && s.Labels.GetValueOrDefault("otel_scope_name") == "Microsoft.Orleans");
    }

    [Fact]
    public async Task A_call_is_one_activity_with_a_child_activity_per_turn()
    {
        var stopped = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "AiAgent.Calls",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (stopped) { stopped.Add(a); } },
        };
        ActivitySource.AddActivityListener(listener);

        await using var call = await CallProbe.StartAsync(silo.Client);
        await CallScript.PlayGreetingAsync(call);
        await CallScript.TakeTurnAsync(call);
        await CallScript.TakeTurnAsync(call);
        var latencies = (await call.WaitForSnapshotAsync(s => s.TurnLatenciesMs.Count == 2)).TurnLatenciesMs;
        await call.Grain.HangupAsync(CallEndReason.CallerHangup);

        Activity[] activities;
        lock (stopped)
        {
            activities = [.. stopped];
        }

        var callActivity = Assert.Single(activities, a => a.OperationName == "call" && (string?)a.GetTagItem("call.id") == call.CallId.ToString());
        Assert.Equal("local", callActivity.GetTagItem("provider"));
        Assert.Equal("CallerHangup", callActivity.GetTagItem("outcome"));
        var turns = activities.Where(a => a.OperationName == "turn" && a.ParentSpanId == callActivity.SpanId).OrderBy(a => a.StartTimeUtc).ToList();
        Assert.Equal(2, turns.Count);
        Assert.All(turns, t => Assert.Equal(callActivity.TraceId, t.TraceId));
        Assert.All(turns, t => Assert.Equal("answered", t.GetTagItem("outcome")));
        for (var i = 0; i < 2; i++)
        {
            // A turn spans end of caller speech to the first agent frame played: the measured turn latency.
            Assert.Equal(latencies[i], turns[i].Duration.TotalMilliseconds, 1.0);
        }
    }


}
