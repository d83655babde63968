using System.Diagnostics.Metrics;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Interfaces.Diagnostics;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Tools;
using AiAgent.Tests.Support;
using AiAgent.Tests.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace AiAgent.Grains.Tests;

/// <summary>The runner's order (the events, then the result sent) and its metrics, without a provider.</summary>
public sealed class ToolRunnerTests
{
    [Fact]
    public async Task A_call_reports_its_result_then_sends_it_and_counts_it_with_its_overhead()
    {
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var calls = new MetricCollector<long>(meters, TelemetryNames.CallsMeter, "ai_agent_tool_calls");
        using var durations = new MetricCollector<double>(meters, TelemetryNames.CallsMeter, "ai_agent_tool_call_duration");
        using var overheads = new MetricCollector<double>(meters, TelemetryNames.CallsMeter, "ai_agent_tool_call_overhead");
        var tools = await TestToolSets.CreateAsync([TestTool.Answering("lookup_order")]);
        var events = new List<ProviderEvent>();
        var sentUnreported = new List<string>();
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = new ToolRunner("test", Guid.NewGuid(), tools, new ToolMetrics(meters), NullLogger.Instance, TimeProvider.System, e =>
        {
            lock (events)
            {
                events.Add(e);
                if (events.Count == 3)
                {
                    done.TrySetResult();
                }
            }
        });

        // The grain hears of a result before the model does, so the reply it prompts cannot overtake it.
        bool Send(string result)
        {
            lock (events)
            {
                if (!events.Any(e => e is ToolCallFinished f && f.Entry.Result == result))
                {
                    sentUnreported.Add(result);
                }
            }

            return true;
        }

        runner.Start(new ToolCallRequest("c1", "lookup_order", "{}", TimeProvider.System.GetTimestamp()), Send);
        runner.Start(new ToolCallRequest("c2", "made_up_tool", "{}", TimeProvider.System.GetTimestamp()), Send);
        runner.Start(new ToolCallRequest("c3", "hangup_call", "not json", TimeProvider.System.GetTimestamp()), Send);
        await done.Task.WaitAsync(Waits.Long);
        await runner.StopAsync();
        Assert.Empty(sentUnreported);

        var entries = events.OfType<ToolCallFinished>().Select(f => f.Entry).ToDictionary(e => e.Name);
        Assert.Equal(ToolCallOutcome.Ok, entries["lookup_order"].Outcome);
        Assert.Equal(ToolCallOutcome.UnknownTool, entries["made_up_tool"].Outcome);
        Assert.Equal(ToolCallOutcome.InvalidArguments, entries["hangup_call"].Outcome);
        Assert.Contains("not JSON", entries["hangup_call"].Result, StringComparison.Ordinal);
        Assert.DoesNotContain(events, e => e is CallActionRequested); // invalid arguments: the hang-up never ran

        var counted = calls.GetMeasurementSnapshot().Select(m => ((string)m.Tags["tool"]!, (string)m.Tags["outcome"]!, (string)m.Tags["provider"]!)).ToHashSet();
        Assert.Equal([("lookup_order", "ok", "test"), ("unknown", "unknown_tool", "test"), ("hangup_call", "invalid_arguments", "test")], counted);
        Assert.Equal("lookup_order", Assert.Single(durations.GetMeasurementSnapshot()).Tags["tool"]);
        Assert.Equal(3, overheads.GetMeasurementSnapshot().Count);
        Assert.All(overheads.GetMeasurementSnapshot(), m => Assert.InRange(m.Value, 0, 5));
    }

    [Fact]
    public async Task A_tool_ignoring_its_token_still_times_out()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var deaf = new TestTool("deaf", async (_, _) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, CancellationToken.None);
            return new ToolResult("{}", ToolCallOutcome.Ok);
        }, TimeSpan.FromSeconds(1));
        var tools = await TestToolSets.CreateAsync([deaf]);
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var finished = new TaskCompletionSource<ToolCallEntry>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runner = new ToolRunner("test", Guid.NewGuid(), tools, new ToolMetrics(services.GetRequiredService<IMeterFactory>()), NullLogger.Instance, time,
            e => { if (e is ToolCallFinished f) { finished.TrySetResult(f.Entry); } });

        runner.Start(new ToolCallRequest("c1", "deaf", "{}", time.GetTimestamp()), _ => true);
        await deaf.Started.WaitAsync(Waits.Long);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(ToolCallOutcome.TimedOut, (await finished.Task.WaitAsync(Waits.Long)).Outcome);
        await runner.StopAsync().WaitAsync(Waits.Long);
    }
}
