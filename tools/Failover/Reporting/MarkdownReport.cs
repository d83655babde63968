using System.Globalization;
using System.Text;
using AiAgent.CallSim.Reporting;

namespace AiAgent.Failover.Reporting;

/// <summary>The report as Markdown: a table of runs, the spread, and every call of every run.</summary>
internal static class MarkdownReport
{
    public static string Format(FailoverReport report)
    {
        var text = new StringBuilder();
        var ari = report.Asterisk == "ari";
        var moves = ari || report.Gateways > 1;
        Append(text, $"# Failover harness: {report.Scenario}, {report.Calls} calls, {report.Silos} silos{(moves ? $", {report.Gateways} gateways, {(ari ? "ARI mode" : "dialplan reconnect loop")}" : string.Empty)}");
        text.AppendLine();
        Append(text, $"Started {report.StartedUtc:yyyy-MM-dd HH:mm} UTC on {report.Processors} logical processors{(report.Commit is null ? string.Empty : $", commit {report.Commit}")}; event {report.EventAtSeconds:0} s after the calls start, calls go on {report.AfterSeconds:0} s after it.");
        Append(text, $"Command: `{report.Command}`");
        text.AppendLine();
        Append(text, "| run | calls | dropped (on target / elsewhere) | wait spanning the event p50 / p99 / max | wait before the event max | calls elsewhere with a gap > 60 ms (after the event) | transcripts across the event | load average start → end |");
        Append(text, "| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var run in report.Runs)
        {
            var s = run.Summary;
            Append(text, $"| {run.Run} | {s.Calls} | **{s.Dropped}** ({s.DroppedOnTarget} / {s.DroppedElsewhere}) | {Stats(s.WaitSpanningEvent)} | {Ms(s.WaitBeforeEvent.MaxMs)} | {s.CallsElsewhereWithGapOver60Ms} ({s.CallsElsewhereWithGapOver60MsAfterEvent}) of {s.CallsElsewhere} | {s.TranscriptsBeforeAndAfter} of {s.Calls} | {run.LoadAverageAtStart} → {run.LoadAverageAtEnd} |");
        }

        if (report.Runs.Count > 1)
        {
            text.AppendLine();
            Append(text, $"Spread over {report.Runs.Count} runs (min – max of each run's figure):");
            text.AppendLine();
            Append(text, $"- dropped: {Range(report.Runs, static r => r.Summary.Dropped)}");
            Append(text, $"- wait spanning the event, p50: {RangeMs(report.Runs, static r => r.Summary.WaitSpanningEvent.P50Ms)}; p99: {RangeMs(report.Runs, static r => r.Summary.WaitSpanningEvent.P99Ms)}; max: {RangeMs(report.Runs, static r => r.Summary.WaitSpanningEvent.MaxMs)}");
            Append(text, $"- calls elsewhere with a gap > 60 ms: {Range(report.Runs, static r => r.Summary.CallsElsewhereWithGapOver60Ms)} (after the event: {Range(report.Runs, static r => r.Summary.CallsElsewhereWithGapOver60MsAfterEvent)})");
            if (moves)
            {
                MovesMarkdown.AppendSpread(text, report.Runs, ari);
            }
        }

        foreach (var failure in report.Failures)
        {
            Append(text, $"- FAILED: {failure}");
        }

        foreach (var run in report.Runs)
        {
            text.AppendLine();
            Append(text, $"## Run {run.Run}: {run.Event.Scenario} of {run.Event.Target}");
            text.AppendLine();
            if (moves)
            {
                MovesMarkdown.AppendCalls(text, run, ari);
                continue;
            }

            Append(text, $"Calls per silo before the event: {(run.PlacementKnown ? string.Join(", ", run.CallsPerSilo.Select(static p => $"{p.Key} {p.Value}")) : "unknown")}. CallSim pacer lateness p99 {Ms(run.CallSimPacerLateness.P99Ms)}, max {Ms(run.CallSimPacerLateness.MaxMs)}. Logs: `{run.OutputDirectory}`.");
            text.AppendLine();
            foreach (var step in run.Event.Steps)
            {
                Append(text, $"- {step.AtUtc:HH:mm:ss.fff} {step.Node} {step.What}");
            }

            text.AppendLine();
            Append(text, "| call | silo | on target | dropped | wait before | wait spanning the event | turns after (unanswered) | max playout gap (at, from the event) | gaps > 60 ms (after the event) | max frame gap | transcript lines before / after |");
            Append(text, "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
            foreach (var c in run.Calls.OrderByDescending(static c => c.OnTarget == true).ThenBy(static c => c.Silo, StringComparer.Ordinal))
            {
                var dropped = c.Dropped ? $"**yes**: {c.DropReason}" : "no";
                var onTarget = c.OnTarget switch { true => "yes", false => "no", null => "?" };
                var transcript = c.TranscriptError is null ? $"{c.TranscriptLinesBefore} / {c.TranscriptLinesAfter}" : $"– ({c.TranscriptError})";
                Append(text, $"| {c.CallId[..8]} | {c.Silo ?? "?"} | {onTarget} | {dropped} | {Ms(c.LongestWaitBeforeEventMs)} | {Ms(c.LongestWaitSpanningEventMs)} | {c.TurnsAfterEvent} ({c.UnansweredAfterEvent}) | {Ms(c.MaxPlayoutGapMs)} ({Seconds(c.MaxPlayoutGapFromEventMs)}) | {c.PlayoutGapsOver60Ms} ({c.PlayoutGapsOver60MsAfterEvent}) | {Ms(c.MaxFrameGapMs)} | {transcript} |");
            }
        }

        return text.ToString();
    }

    private static string Stats(TimingStats t) => t.Count == 0 ? "–" : $"{Ms(t.P50Ms)} / {Ms(t.P99Ms)} / {Ms(t.MaxMs)}";

    private static string Ms(double? ms) => ms is { } v ? v.ToString("0", CultureInfo.InvariantCulture) + " ms" : "–";

    private static string Seconds(double? ms) => ms is { } v ? (v / 1000).ToString("+0.0 's';-0.0 's'", CultureInfo.InvariantCulture) : "–";

    private static string Range(IReadOnlyList<RunReport> runs, Func<RunReport, int> figure) =>
        $"{runs.Min(figure)} – {runs.Max(figure)}";

    private static string RangeMs(IReadOnlyList<RunReport> runs, Func<RunReport, double?> figure)
    {
        var values = runs.Select(figure).Where(static v => v is not null).Select(static v => v!.Value).ToList();
        return values.Count == 0 ? "–" : $"{Ms(values.Min())} – {Ms(values.Max())}";
    }

    private static void Append(StringBuilder text, string line) => text.Append(line).Append('\n');
}
