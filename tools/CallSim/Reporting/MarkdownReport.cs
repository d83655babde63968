using System.Globalization;
using System.Text;

namespace AiAgent.CallSim.Reporting;

/// <summary>The <c>--markdown</c> summary: the command, the machine, and a table of a run's figures or of find-max's steps.</summary>
public static class MarkdownReport
{
    /// <summary>The Markdown text of <paramref name="report"/>.</summary>
    public static string Format(LoadRunReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(report.FindMax is null ? "# CallSim load run" : "# CallSim find-max").AppendLine();
        text.Append("Command: `").Append(report.CommandLine.Replace('`', '\'')).AppendLine("`").AppendLine();
        var m = report.Machine;
        text.AppendLine(Invariant($"Machine: {m.ProcessorCount} cores, {m.Os}, {m.DotNet}; load average {m.LoadAverageBefore ?? "n/a"} before, {m.LoadAverageAfter ?? "n/a"} after."));
        text.AppendLine();
        if (report.Run is { } run)
        {
            RunTable(text, run);
        }

        if (report.FindMax is { } search)
        {
            var held = search.LargestHeld is { } n ? Invariant($"{n} calls held") : "no step held";
            var cost = search.PlatformCpuPercentOfCorePerCallAtLargest is { } cpu ? $", the platform at {Num(cpu, "0.00")} % of a core per call" : string.Empty;
            text.AppendLine($"**Result:** {held}{cost}. {search.Conclusion}.");
            text.AppendLine();
            StepTable(text, search.Steps);
        }

        return text.ToString();
    }

    /// <summary>One row per find-max step.</summary>
    public static void StepTable(StringBuilder text, IReadOnlyList<FindMaxStep> steps)
    {
        text.AppendLine("| N | verdict | mean live | failed | late frames | reply gap p99 | platform dropped | pacer p99 | generator CPU | platform CPU % core / call | platform-added p99 | turn p99 |");
        text.AppendLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var step in steps)
        {
            var l = step.Load;
            var verdict = step.Held ? "held" : (step.GeneratorLimited ? "generator limited: " : "failed: ") + string.Join("; ", step.Reasons);
            text.AppendLine(Invariant(
                $"| {step.Calls} | {verdict} | {Num(l.MeanLiveCalls, "0.0")} | {l.Failed} | {l.LateFrames} | {Ms(l.ReplyGaps.P99Ms)} | {Num(l.PlatformMetrics?.FramesDropped, "0")} | {Ms(l.PacerLateness.P99Ms)} | {Num(l.GeneratorCpuPercentOfCore, "0.0")} % | {Num(l.PlatformCpuPercentOfCorePerCall, "0.00")} | {Ms(l.PlatformMetrics?.PlatformAddedLatency.P99Ms)} | {Ms(l.PlatformMetrics?.TurnResponse.P99Ms)} |"));
        }
    }

    private static void RunTable(StringBuilder text, LoadSummary s)
    {
        text.AppendLine("| figure | value |").AppendLine("| --- | --- |");
        Row(text, "calls", Invariant($"{s.Calls}: {s.Passed} passed, {s.Failed} failed ({s.ConnectFailed} could not connect)"));
        var e = s.Endings;
        Row(text, "ended by", Invariant($"caller (script done) {e.CompletedByCaller}, platform (before the script ended) {e.HungUpByPlatform}, socket failure {e.FailedAtSocket}{(e.NotStarted > 0 ? $", not started {e.NotStarted}" : string.Empty)}"));
        Row(text, "calls with a reply gap > 100 ms", Invariant($"{e.CallsWithReplyGapOver100Ms}"));
        Row(text, "arrival", s.Arrival + (s.Seed is { } seed ? Invariant($" (seed {seed})") : string.Empty));
        Row(text, "wall time", Invariant($"{Num(s.DurationMs / 1000, "0.0")} s"));
        Row(text, "call seconds", Invariant($"{Num(s.CallSeconds, "0.0")} s; mean live calls {Num(s.MeanLiveCalls, "0.0")}"));
        Row(text, "late frames (> 40 ms inside a reply)", Invariant($"{s.LateFrames} in {s.CallsWithLateFrames} calls"));
        Row(text, "gaps inside replies", Gaps(s.ReplyGaps));
        Row(text, "all received gaps", Gaps(s.Gaps));
        if (s.Conversation is { } c)
        {
            Row(text, "turns", Invariant($"{c.Turns}, {c.Unanswered} unanswered; {c.Dropped} calls dropped"));
            Row(text, "reply latency (caller's ear)", Timing(c.ReplyLatency));
        }

        Row(text, "pacer lateness (generator)", Timing(s.PacerLateness));
        Row(text, "generator CPU", Invariant($"{Num(s.GeneratorCpuSeconds, "0.00")} s, {Num(s.GeneratorCpuPercentOfCore, "0.0")} % of a core"));
        Row(text, "platform CPU", s.PlatformCpuSeconds is { } cpu
            ? Invariant($"{Num(cpu, "0.00")} s, **{Num(s.PlatformCpuPercentOfCorePerCall, "0.00")} % of a core per live call**")
            : "n/a (no --platform-pid)");
        Row(text, "platform RSS after", s.PlatformRssMb is { } rss ? Invariant($"{Num(rss, "0")} MiB") : "n/a");
        if (s.PlatformTrend is { } trend)
        {
            Row(text, "platform over the run", SummaryText.Trend(trend));
        }

        if (s.GeneratorGc is { } generatorGc)
        {
            Row(text, "generator GC", SummaryText.Gc(generatorGc));
        }
        if (s.PlatformMetrics is { } p)
        {
            Row(text, "platform-added latency", Quantiles(p.PlatformAddedLatency));
            Row(text, "turn response (platform)", Quantiles(p.TurnResponse));
            Row(text, "platform frames late / dropped / underruns", Invariant($"{Num(p.FramesLate, "0")} / {Num(p.FramesDropped, "0")} / {Num(p.PlayoutUnderruns, "0")}"));
            Row(text, "platform frames held by backpressure; pacer stalls", Invariant($"{Num(p.FramesLateBackpressure, "0")}; {Num(p.PacerStalls, "0")}"));
            if (p.Gc is { } platformGc)
            {
                Row(text, "platform GC", SummaryText.Gc(platformGc));
            }
        }
        else
        {
            Row(text, "platform metrics", "n/a (no --metrics)");
        }
    }

    private static void Row(StringBuilder text, string figure, string value) =>
        text.Append("| ").Append(figure).Append(" | ").Append(value.Replace("|", "\\|", StringComparison.Ordinal)).AppendLine(" |");

    private static string Gaps(GapStatistics g) => g.Count == 0
        ? "none"
        : Invariant($"p50 {Ms(g.P50Ms)}, p99 {Ms(g.P99Ms)}, max {Ms(g.MaxMs)} (n = {g.Count})");

    private static string Timing(TimingStats t) => t.Count == 0
        ? "none"
        : Invariant($"p50 {Ms(t.P50Ms)}, p99 {Ms(t.P99Ms)}, max {Ms(t.MaxMs)} (n = {t.Count})");

    private static string Quantiles(HistogramQuantiles q) => q.Count <= 0
        ? "no observations"
        : Invariant($"p50 {Ms(q.P50Ms)}, p99 {Ms(q.P99Ms)} (n = {q.Count:0}, from buckets)");

    private static string Ms(double? ms) => ms is { } value ? value.ToString("0.0 'ms'", CultureInfo.InvariantCulture) : "n/a";

    private static string Num(double? value, string format) => value is { } v ? v.ToString(format, CultureInfo.InvariantCulture) : "n/a";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
