using System.Globalization;
using System.Text;

namespace AiAgent.CallSim.Reporting;

/// <summary>Human-readable summaries.</summary>
public static class SummaryText
{
    /// <summary>The summary of one call.</summary>
    public static string Format(CallSummary s, TimingStats? pacerLateness = null)
    {
        var text = new StringBuilder();
        Line(text, "call", $"{s.CallId} ({s.Format})");
        Line(text, "result", $"{(s.Passed ? "PASS" : "FAIL")}, {s.Outcome}{(s.Error is null ? string.Empty : $": {s.Error}")}");
        Line(text, "duration", $"{Ms(s.DurationMs)}");
        Line(text, "frames sent", $"{s.FramesSent} audio, {s.DtmfSent} DTMF, {s.SendStalls} stalled ticks (worst send {Ms(s.SendLateMaxMs)} late)");
        Line(text, "frames received", $"{s.FramesReceived} ({s.SpeechFrames} speech, {s.SilentFrames} silence), {s.FramesAfterHangup} after hangup");
        Line(text, "wrong-size frames", s.WrongSizeFrames.ToString(CultureInfo.InvariantCulture));
        Line(text, "mislabelled frames", s.KindMismatchFrames.ToString(CultureInfo.InvariantCulture));
        Line(text, "protocol violations", s.Violations.ToString(CultureInfo.InvariantCulture));
        foreach (var detail in s.ViolationDetails)
        {
            Line(text, string.Empty, detail);
        }

        Line(text, "first agent audio", $"{Ms(s.FirstAudioMs)} after connect (first speech {Ms(s.FirstSpeechMs)})");
        Line(text, "reply after speech", $"{Ms(s.ReplyAfterSpeechMs)} after the caller's last speech frame ({s.FramesWithheld} silent frames withheld)");
        Line(text, "received gaps", Gaps(s.Gaps));
        if (s.Conversation is { } c)
        {
            Conversation(text, c);
        }

        Line(text, "server close", s.ServerCloseTimedOut
            ? s.Outcome == CallOutcome.ServerHangupFrame ? "FAILED: still open after its hangup frame" : "FAILED: still open after our hangup"
            : s.ServerCloseAfterHangupMs is { } close ? $"{Ms(close)} after our hangup"
            : s.ServerCloseAfterHangupFrameMs is { } afterFrame ? $"{Ms(afterFrame)} after its hangup frame" : "n/a");
        if (pacerLateness is not null)
        {
            Line(text, "pacer lateness", Timing(pacerLateness));
        }

        return text.ToString();
    }

    /// <summary>The aggregate of a multi-call run.</summary>
    public static string Format(LoadSummary s)
    {
        var text = new StringBuilder();
        Line(text, "calls", $"{s.Calls}: {s.Passed} passed, {s.Failed} failed ({s.ConnectFailed} could not connect)");
        Line(text, "outcomes", string.Join(", ", s.Outcomes.Select(static o => $"{o.Key} {o.Value}")));
        Line(text, "server close", s.ServerCloseTimeouts == 0
            ? "every server side closed after our hangup"
            : $"FAILED: {s.ServerCloseTimeouts} calls still open after our hangup");
        Line(text, "duration", Ms(s.DurationMs));
        Line(text, "frames sent", $"{s.FramesSent}, {s.SendStalls} stalled ticks");
        Line(text, "frames received", $"{s.FramesReceived} ({s.SpeechFrames} speech)");
        Line(text, "wrong-size frames", s.WrongSizeFrames.ToString(CultureInfo.InvariantCulture));
        Line(text, "mislabelled frames", s.KindMismatchFrames.ToString(CultureInfo.InvariantCulture));
        Line(text, "protocol violations", s.Violations.ToString(CultureInfo.InvariantCulture));
        Line(text, "first agent audio", Timing(s.FirstAudio));
        Line(text, "first speech", Timing(s.FirstSpeech));
        Line(text, "received gaps", Gaps(s.Gaps));
        Line(text, "gaps inside replies", Gaps(s.ReplyGaps));
        Line(text, "late frames", $"{s.LateFrames} (> {ConversationTimeline.LateFrameGapMs:0} ms inside a reply) in {s.CallsWithLateFrames} calls");
        Line(text, "call seconds", $"{s.CallSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s; mean live calls {s.MeanLiveCalls.ToString("0.0", CultureInfo.InvariantCulture)} ({s.Arrival}{(s.Seed is { } seed ? $", seed {seed}" : string.Empty)})");
        Line(text, "pacer lateness", Timing(s.PacerLateness));
        Line(text, "generator cpu", $"{s.GeneratorCpuSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s, {s.GeneratorCpuPercentOfCore.ToString("0.0", CultureInfo.InvariantCulture)} % of a core");
        if (s.GeneratorGc is { } generatorGc)
        {
            Line(text, "generator gc", Gc(generatorGc));
        }

        if (s.PlatformCpuSeconds is { } cpu)
        {
            Line(text, "platform cpu", $"{cpu.ToString("0.00", CultureInfo.InvariantCulture)} s, {s.PlatformCpuPercentOfCorePerCall?.ToString("0.00", CultureInfo.InvariantCulture) ?? "n/a"} % of a core per live call; RSS {s.PlatformRssMb?.ToString("0", CultureInfo.InvariantCulture) ?? "n/a"} MiB");
        }

        if (s.PlatformTrend is { } trend)
        {
            Line(text, "platform over run", Trend(trend));
        }

        if (s.PlatformMetrics is { } p)
        {
            Line(text, "platform-added", Quantiles(p.PlatformAddedLatency));
            Line(text, "turn latency", Quantiles(p.TurnResponse));
            Line(text, "platform frames", $"{p.FramesLate:0} late ({p.FramesLateBackpressure:0} held by backpressure), {p.FramesDropped:0} dropped, {p.PlayoutUnderruns:0} underruns; {p.PacerStalls:0} pacer stalls");
            if (p.Gc is { } platformGc)
            {
                Line(text, "platform gc", Gc(platformGc));
            }
        }

        if (s.Conversation is { } c)
        {
            Line(text, "conversations", $"{c.Calls} calls, {c.Dropped} dropped; {c.Turns} turns, {c.Unanswered} unanswered");
            Line(text, "reply latency", Timing(c.ReplyLatency));
            Line(text, "longest wait", $"{Timing(c.LongestWait)} (per call)");
            Line(text, "max playout gap", $"{Timing(c.MaxPlayoutGap)} (per call); {c.CallsWithPlayoutGapOverLimit} calls over {ConversationSummary.PlayoutGapLimitMs:0} ms");
            foreach (var drop in c.Drops)
            {
                Line(text, "dropped", drop);
            }
        }

        foreach (var failure in s.Failures)
        {
            Line(text, "failed", failure);
        }

        return text.ToString();
    }

    /// <summary>One line naming a failed call and why.</summary>
    public static string DescribeFailure(CallSummary s)
    {
        var why = new StringBuilder(s.Outcome.ToString());
        if (s.Error is not null)
        {
            why.Append(": ").Append(s.Error);
        }

        if (s.Conversation is { Dropped: true } conversation)
        {
            why.Append(", dropped: ").Append(conversation.DropReason);
        }

        if (s.Violations > 0)
        {
            why.Append(CultureInfo.InvariantCulture, $", {s.Violations} violations ({string.Join("; ", s.ViolationDetails)})");
        }

        if (s.WrongSizeFrames > 0)
        {
            why.Append(CultureInfo.InvariantCulture, $", {s.WrongSizeFrames} wrong-size frames");
        }

        if (s.KindMismatchFrames > 0)
        {
            why.Append(CultureInfo.InvariantCulture, $", {s.KindMismatchFrames} mislabelled frames");
        }

        if (s.SendStalls > 0)
        {
            why.Append(CultureInfo.InvariantCulture, $", {s.SendStalls} stalled ticks (server not reading)");
        }

        if (s.ServerCloseTimedOut)
        {
            why.Append(s.Outcome == CallOutcome.ServerHangupFrame ? ", server did not close after its hangup frame" : ", server did not close after our hangup");
        }

        return $"{s.CallId}: {why}";
    }

    private static void Conversation(StringBuilder text, ConversationSummary c)
    {
        Line(text, "turns", $"{c.Cycles.Count}: {c.Answered} answered, {c.Unanswered} unanswered");
        Line(text, "reply latency", Timing(c.ReplyLatency));
        Line(text, "longest wait", $"{Ms(c.LongestWaitMs)} without agent speech while an answer was owed");
        Line(text, "max playout gap", $"{Ms(c.MaxPlayoutGapMs)} at {Ms(c.MaxPlayoutGapAtMs)}; {c.PlayoutGapsOverLimit} over {ConversationSummary.PlayoutGapLimitMs:0} ms");
        Line(text, "dropped", c.Dropped ? $"YES: {c.DropReason}" : "no");
    }

    private static string Gaps(GapStatistics g) => g.Count == 0
        ? "none"
        : $"p50 {Ms(g.P50Ms)}, p99 {Ms(g.P99Ms)}, max {Ms(g.MaxMs)} over {g.Count} gaps ({g.OutsideTolerance} outside 20 ± 5 ms)";

    private static string Quantiles(HistogramQuantiles q) => q.Count <= 0
        ? "no observations"
        : $"p50 {Ms(q.P50Ms)}, p99 {Ms(q.P99Ms)} (n = {q.Count:0}, from buckets)";

    private static string Timing(TimingStats t) => t.Count == 0
        ? "none"
        : $"p50 {Ms(t.P50Ms)}, p99 {Ms(t.P99Ms)}, max {Ms(t.MaxMs)} (n = {t.Count})";

    private static string Ms(double? ms) => ms is { } value ? value.ToString("0.0 'ms'", CultureInfo.InvariantCulture) : "none";

    private static void Line(StringBuilder text, string label, string value) =>
        text.Append(CultureInfo.InvariantCulture, $"{label,-20} {value}").Append('\n');
    /// <summary>Collections by generation and their pauses, as one line.</summary>
    internal static string Gc(GcActivity gc) => string.Create(
        CultureInfo.InvariantCulture,
        $"{gc.Gen0} gen0, {gc.Gen1} gen1, {gc.Gen2} gen2; paused {gc.PauseMs:0.0} ms in all{(gc.PausesOver20Ms is { } longPauses ? $", {longPauses:0} single pauses over 20 ms" : string.Empty)}");

    /// <summary>A process's resident set, threads and handles over a run, with their drift after the warm-up.</summary>
    internal static string Trend(ProcessTrend trend) => string.Join(
        "; ",
        new[]
        {
            Figure("RSS", trend.RssMb, "MiB"), Figure("GC heap after collections", trend.GcHeapMb, "MiB"),
            Figure("threads", trend.Threads, string.Empty), Figure("handles", trend.OpenHandles, string.Empty),
        }
            .Where(static f => f is not null))
        + string.Create(
            CultureInfo.InvariantCulture,
            $" ({trend.Samples} samples, {trend.IntervalSeconds:0} s apart; drift after the first {ProcessTrend.WarmUpShare:P0}{(trend.SteadyUntilSeconds is { } until ? $" up to the last arrival at {until:0} s" : string.Empty)})");

    private static string? Figure(string name, ResourceTrend? figure, string unit) => figure is null
        ? null
        : string.Create(
            CultureInfo.InvariantCulture,
            $"{name} {figure.First:0}→{figure.Last:0}{(unit.Length > 0 ? " " + unit : string.Empty)} (range {figure.Min:0}–{figure.Max:0}, drift {figure.SlopePerTenMinutes:+0.0;-0.0;0} per 10 min)");
}
