using System.Globalization;
using System.Text;
using AiAgent.CallSim.Reporting;

namespace AiAgent.Failover.Reporting;

/// <summary>
/// The parts of report.md for runs over several gateways: how the calls moved between them over the runs, and each
/// run's calls by gateway. ARI mode moves a call to a new external-media leg in the same bridge; dialplan mode's
/// reconnect loop opens a new AudioSocket session with the same call id.
/// </summary>
internal static class MovesMarkdown
{
    /// <summary>The leg-switch line of the spread over the runs.</summary>
    public static void AppendSpread(StringBuilder text, IReadOnlyList<RunReport> runs, bool ari)
    {
        var maxima = runs.Select(static r => r.Summary.LegSwitchGap).Where(static s => s is { Count: > 0 }).Select(static s => s!.MaxMs).ToList();
        var longest = maxima.Count == 0 ? "–" : $"{Ms(maxima.Min())} – {Ms(maxima.Max())}";
        var moved = Range(runs.Select(static r => r.Summary.CallsThatSwitchedLegs ?? 0));
        Line(text, ari
            ? $"- calls that switched media legs: {moved}; callers that left their bridge: {Range(runs.Select(static r => r.Summary.CallsThatLeftTheirBridge ?? 0))}; longest leg-switch gap per run: {longest}"
            : $"- calls that reconnected: {moved}; longest reconnect gap per run: {longest}");
    }

    /// <summary>A run's calls: gateway, legs used, the leg-switch gap and what the caller heard.</summary>
    public static void AppendCalls(StringBuilder text, RunReport run, bool ari)
    {
        var s = run.Summary;
        var perGateway = run.CallsPerGateway is { } g ? string.Join(", ", g.Select(static p => $"{p.Key} {p.Value}")) : "unknown";
        var perSilo = run.PlacementKnown ? string.Join(", ", run.CallsPerSilo.Select(static p => $"{p.Key} {p.Value}")) : "unknown";
        var clock = ari
            ? $"Caller clock lateness p99 {Ms(run.CallSimPacerLateness.P99Ms)}, max {Ms(run.CallSimPacerLateness.MaxMs)}"
            : $"Worst send lateness of a session p99 {Ms(run.CallSimPacerLateness.P99Ms)}, max {Ms(run.CallSimPacerLateness.MaxMs)}";
        Line(text, ari
            ? $"Calls per gateway before the event: {perGateway}; {s.CallsThatSwitchedLegs} calls switched media legs, {s.CallsThatLeftTheirBridge} callers left their bridge; leg-switch gap p50 / p99 / max {Stats(s.LegSwitchGap)}. {clock}. Logs: `{run.OutputDirectory}`."
            : $"Calls per gateway before the event: {perGateway}; per silo: {perSilo}; {s.CallsThatSwitchedLegs} calls reconnected; reconnect gap p50 / p99 / max {Stats(s.LegSwitchGap)}. {clock}. Logs: `{run.OutputDirectory}`.");
        text.Append('\n');
        foreach (var step in run.Event.Steps)
        {
            Line(text, $"- {step.AtUtc:HH:mm:ss.fff} {step.Node} {step.What}");
        }

        text.Append('\n');
        Line(text, ari
            ? "| call | gateway | on target | dropped | stayed in the bridge | media legs | leg-switch gap (heard) | wait before | wait spanning the event | turns after (unanswered) | max playout gap (at, from the event) | gaps > 60 ms (after the event) | transcript lines before / after |"
            : "| call | gateway | on target | dropped | silo | AudioSocket sessions | reconnect gaps | wait before | wait spanning the event | turns after (unanswered) | max playout gap (at, from the event) | gaps > 60 ms (after the event) | transcript lines before / after |");
        Line(text, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var c in run.Calls.OrderByDescending(static c => c.OnTarget == true).ThenBy(static c => c.Gateway, StringComparer.Ordinal))
        {
            var dropped = c.Dropped ? $"**yes**: {c.DropReason}" : "no";
            var onTarget = c.OnTarget switch { true => "yes", false => "no", null => "?" };
            var switches = c.LegSwitchGapsMs is { Count: > 0 } gaps ? string.Join(", ", gaps.Select(Ms)) : "–";
            var heard = c.HeardLegSwitchGapsMs is { Count: > 0 } heardGaps ? string.Join(", ", heardGaps.Select(Ms)) : "–";
            var transcript = c.TranscriptError is null ? $"{c.TranscriptLinesBefore} / {c.TranscriptLinesAfter}" : $"– ({c.TranscriptError})";
            var how = ari ? $"{c.CallerStayedInBridge switch { true => "yes", false => "**no**", null => "–" }} | {c.MediaLegs} | {switches} ({heard})" : $"{c.Silo ?? "?"} | {c.MediaLegs} | {switches}";
            Line(text, $"| {c.CallId[..Math.Min(8, c.CallId.Length)]} | {c.Gateway ?? "?"} | {onTarget} | {dropped} | {how} | {Ms(c.LongestWaitBeforeEventMs)} | {Ms(c.LongestWaitSpanningEventMs)} | {c.TurnsAfterEvent} ({c.UnansweredAfterEvent}) | {Ms(c.MaxPlayoutGapMs)} ({Seconds(c.MaxPlayoutGapFromEventMs)}) | {c.PlayoutGapsOver60Ms} ({c.PlayoutGapsOver60MsAfterEvent}) | {transcript} |");
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
