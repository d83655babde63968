using System.Diagnostics.Metrics;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Interfaces.Diagnostics;

namespace AiAgent.Grains.Tools;

/// <summary>
/// Tool-call metrics in the calls meter (<c>AiAgent.Calls</c>): calls by outcome, the tools' own run time, and what the
/// platform adds around them (provider event received → result handed to the socket, minus the tool's own time).
/// The <c>tool</c> label is a configured tool name (a name the model made up is counted as <c>unknown</c>).
/// </summary>
public sealed class ToolMetrics
{
    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
    private static readonly double[] OverheadBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

    private readonly Counter<long> _calls;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _overhead;

    /// <summary>Creates the instruments on the calls meter from <paramref name="meterFactory"/>.</summary>
    public ToolMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(TelemetryNames.CallsMeter);
        _calls = meter.CreateCounter<long>("ai_agent_tool_calls", "{call}", "Tool calls the model made, by provider, tool and outcome.");
        _duration = meter.CreateHistogram<double>("ai_agent_tool_call_duration", "s", "The tool's own run time, by provider and tool.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _overhead = meter.CreateHistogram<double>("ai_agent_tool_call_overhead", "s",
            "Provider function-call event received to the result handed to the socket's send, minus the tool's own time.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = OverheadBuckets });
    }

    /// <summary>The <c>outcome</c> label of <paramref name="outcome"/>.</summary>
    public static string OutcomeLabel(ToolCallOutcome outcome) => outcome switch
    {
        ToolCallOutcome.Ok => "ok",
        ToolCallOutcome.InvalidArguments => "invalid_arguments",
        ToolCallOutcome.UnknownTool => "unknown_tool",
        ToolCallOutcome.Failed => "failed",
        ToolCallOutcome.TimedOut => "timed_out",
        ToolCallOutcome.Cancelled => "cancelled",
        _ => "other",
    };

    /// <summary>Counts a finished call; records the tool's own time when it ran.</summary>
    internal void Finished(string provider, string tool, ToolCallOutcome outcome, TimeSpan? toolTime)
    {
        _calls.Add(1, new("provider", provider), new("tool", tool), new("outcome", OutcomeLabel(outcome)));
        if (toolTime is { } t)
        {
            _duration.Record(t.TotalSeconds, new KeyValuePair<string, object?>("provider", provider), new("tool", tool));
        }
    }

    /// <summary>Records the platform's overhead of one call.</summary>
    internal void Overhead(string provider, TimeSpan overhead) =>
        _overhead.Record(Math.Max(0, overhead.TotalSeconds), new KeyValuePair<string, object?>("provider", provider));
}
