using System.Globalization;
using System.Text;
using AiAgent.CallSim.Reporting;
using AiAgent.Failover.Reporting;

namespace AiAgent.Failover.Ari;

/// <summary>The ARI mode's parts of report.md: the leg switches over the runs and each run's calls by gateway.</summary>
internal static class AriMarkdown
{
    /// <summary>The leg-switch line of the spread over the runs.</summary>
    public static void AppendSpread(StringBuilder text, IReadOnlyList<RunReport> runs)
    {
        var maxima = runs.Select(static r => r.Summary.LegSwitchGap).Where(static s => s is { Count: > 0 }).Select(static s => s!.MaxMs).ToList();
        Line(text, $"- calls that switched media legs: {Range(runs.Select(static r => r.Summary.CallsThatSwitchedLegs ?? 0))}; callers that left their bridge: {Range(runs.Select(static r => r.Summary.CallsThatLeftTheirBridge ?? 0))}; longest leg-switch gap per run: {(maxima.Count == 0 ? "–" : $"{Ms(maxima.Min())} – {Ms(maxima.Max())}")}");
    }

    /// <summary>A run's calls: gateway, legs used, the leg-switch gap and what the caller heard.</summary>
    public static void AppendCalls(StringBuilder text, RunReport run)
    {
        var s = run.Summary;
        Line(text, $"Calls per gateway before the event: {(run.CallsPerGateway is { } g ? string.Join(", ", g.Select(static p => $"{p.Key} {p.Value}")) : "unknown")}; {s.CallsThatSwitchedLegs} calls switched media legs, {s.CallsThatLeftTheirBridge} callers left their bridge; leg-switch gap p50 / p99 / max {Stats(s.LegSwitchGap)}. Caller clock lateness p99 {Ms(run.CallSimPacerLateness.P99Ms)}, max {Ms(run.CallSimPacerLateness.MaxMs)}. Logs: `{run.OutputDirectory}`.");
        text.Append('\n');
        foreach (var step in run.Event.Steps)
        {
            Line(text, $"- {step.AtUtc:HH:mm:ss.fff} {step.Node} {step.What}");
        }

        text.Append('\n');
        Line(text, "| call | gateway | on target | dropped | stayed in the bridge | media legs | leg-switch gap (heard) | wait before | wait spanning the event | turns after (unanswered) | max playout gap (at, from the event) | gaps > 60 ms (after the event) | transcript lines before / after |");
        Line(text, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var c in run.Calls.OrderByDescending(static c => c.OnTarget == true).ThenBy(static c => c.Gateway, StringComparer.Ordinal))
        {
            var dropped = c.Dropped ? $"**yes**: {c.DropReason}" : "no";
            var onTarget = c.OnTarget switch { true => "yes", false => "no", null => "?" };
            var switches = c.LegSwitchGapsMs is { Count: > 0 } gaps ? string.Join(", ", gaps.Select(Ms)) : "–";
            var heard = c.HeardLegSwitchGapsMs is { Count: > 0 } heardGaps ? string.Join(", ", heardGaps.Select(Ms)) : "–";
            var transcript = c.TranscriptError is null ? $"{c.TranscriptLinesBefore} / {c.TranscriptLinesAfter}" : $"– ({c.TranscriptError})";
            Line(text, $"| {c.CallId[..Math.Min(8, c.CallId.Length)]} | {c.Gateway ?? "?"} | {onTarget} | {dropped} | {c.CallerStayedInBridge switch { true => "yes", false => "**no**", null => "–" }} | {c.MediaLegs} | {switches} ({heard}) | {Ms(c.LongestWaitBeforeEventMs)} | {Ms(c.LongestWaitSpanningEventMs)} | {c.TurnsAfterEvent} ({c.UnansweredAfterEvent}) | {Ms(c.MaxPlayoutGapMs)} ({Seconds(c.MaxPlayoutGapFromEventMs)}) | {c.PlayoutGapsOver60Ms} ({c.PlayoutGapsOver60MsAfterEvent}) | {transcript} |");
        }
    }

    private static string Stats(TimingStats? t) => t is not { Count: > 0 } ? "–" : $"{Ms(t.P50Ms)} / {Ms(t.P99Ms)} / {Ms(t.MaxMs)}";

    private static string Ms(double? ms) => ms is { } v ? v.ToString("0", CultureInfo.InvariantCulture) + " ms" : "–";

    private static string Ms(double ms) => Ms((double?)ms);

    private static string Seconds(double? ms) => ms is { } v ? (v / 1000).ToString("+0.0 's';-0.0 's'", CultureInfo.InvariantCulture) : "–";

    private static string Range(IEnumerable<int> values)
    {
        var list = values.ToList();
        return list.Count == 0 ? "–" : $"{list.Min()} – {list.Max()}";
    }

    private static void Line(StringBuilder text, string line) => text.Append(line).Append('\n');
}
