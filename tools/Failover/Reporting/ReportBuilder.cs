using AiAgent.CallSim.Reporting;
using AiAgent.Failover.Platform;
using AiAgent.Failover.Scenarios;

namespace AiAgent.Failover.Reporting;

/// <summary>Turns CallSim's summaries, the event, where each call lived and its transcript into the run's report.</summary>
internal static class ReportBuilder
{
    /// <summary>One call's report. <paramref name="silo"/> is its silo before the event (null: unknown).</summary>
    public static CallReport Call(CallSummary call, FailoverEvent failoverEvent, string? silo, TranscriptCheck transcript)
    {
        var report = new CallReport
        {
            CallId = call.CallId,
            Silo = silo,
            OnTarget = OnTarget(failoverEvent, silo, gateway: null),
            Outcome = call.Outcome.ToString(),
            Dropped = !call.Passed,
            DropReason = call.Passed ? null : call.Error ?? call.Outcome.ToString(),
            MaxFrameGapMs = call.Gaps.MaxMs,
        };
        var eventMs = call.ConnectedAtUtc is { } connected ? (failoverEvent.StartUtc - connected).TotalMilliseconds : 0;
        return call.Conversation is { } conversation ? WithConversation(report, conversation, eventMs, transcript) : report with
        {
            TranscriptLinesBefore = transcript.LinesBefore,
            TranscriptLinesAfter = transcript.LinesAfter,
            TranscriptBeforeAndAfter = transcript.BeforeAndAfter,
            TranscriptError = transcript.Error,
        };
    }

    /// <summary>
    /// Whether the event took the call's silo or gateway away: null when neither is known. Redis restarting takes
    /// neither; a rolling restart takes every silo.
    /// </summary>
    public static bool? OnTarget(FailoverEvent failoverEvent, string? silo, string? gateway) => failoverEvent switch
    {
        { AffectedSilos.Count: 0 } => false,
        _ when silo is not null && failoverEvent.AffectedSilos.Contains(silo) => true,
        _ when gateway is not null && failoverEvent.AffectedSilos.Contains(gateway) => true,
        { Scenario: "rolling" or "rolling-all" } => true,
        _ when silo is not null || gateway is not null => false,
        _ => null,
    };

    /// <summary><paramref name="report"/> with what the caller heard around the event at <paramref name="eventMs"/> (conversation time) and the transcript.</summary>
    public static CallReport WithConversation(CallReport report, ConversationSummary conversation, double eventMs, TranscriptCheck transcript)
    {
        var impact = conversation.Around(eventMs);
        return report with
        {
            Dropped = conversation.Dropped,
            DropReason = conversation.DropReason,
            Turns = conversation.Cycles.Count,
            TurnsAfterEvent = impact.TurnsAfter,
            UnansweredAfterEvent = impact.UnansweredAfter,
            LongestWaitBeforeEventMs = impact.LongestWaitBeforeMs,
            LongestWaitSpanningEventMs = impact.LongestWaitSpanningMs,
            MaxPlayoutGapMs = conversation.MaxPlayoutGapMs,
            MaxPlayoutGapFromEventMs = conversation.MaxPlayoutGapAtMs - eventMs,
            PlayoutGapsOver60Ms = conversation.PlayoutGapsOverLimit,
            PlayoutGapsOver60MsAfterEvent = impact.GapsOverLimitAfter,
            TranscriptLinesBefore = transcript.LinesBefore,
            TranscriptLinesAfter = transcript.LinesAfter,
            TranscriptBeforeAndAfter = transcript.BeforeAndAfter,
            TranscriptError = transcript.Error,
        };
    }

    /// <summary>The run's figures. A call of unknown silo counts as on the target when one silo was aimed at (the pessimistic side for "elsewhere").</summary>
    public static RunSummary Summarize(IReadOnlyList<CallReport> calls)
    {
        var onTarget = calls.Where(static c => c.OnTarget != false).ToList();
        var elsewhere = calls.Where(static c => c.OnTarget == false).ToList();
        static TimingStats Stats(IEnumerable<CallReport> calls, Func<CallReport, double?> figure) =>
            TimingStats.FromValues(calls.Select(figure).Where(static v => v is not null).Select(static v => v!.Value).ToArray());

        return new RunSummary
        {
            Calls = calls.Count,
            Dropped = calls.Count(static c => c.Dropped),
            CallsOnTarget = onTarget.Count,
            DroppedOnTarget = onTarget.Count(static c => c.Dropped),
            CallsElsewhere = elsewhere.Count,
            DroppedElsewhere = elsewhere.Count(static c => c.Dropped),
            WaitSpanningEvent = Stats(calls, static c => c.LongestWaitSpanningEventMs),
            WaitSpanningEventOnTarget = Stats(onTarget, static c => c.LongestWaitSpanningEventMs),
            WaitSpanningEventElsewhere = Stats(elsewhere, static c => c.LongestWaitSpanningEventMs),
            WaitBeforeEvent = Stats(calls, static c => c.LongestWaitBeforeEventMs),
            CallsElsewhereWithGapOver60Ms = elsewhere.Count(static c => c.PlayoutGapsOver60Ms > 0),
            CallsElsewhereWithGapOver60MsAfterEvent = elsewhere.Count(static c => c.PlayoutGapsOver60MsAfterEvent > 0),
            MaxPlayoutGapElsewhere = Stats(elsewhere, static c => c.MaxPlayoutGapMs),
            TranscriptsBeforeAndAfter = calls.Count(static c => c.TranscriptBeforeAndAfter),
        };
    }

    /// <summary>The run's figures with the calls' moves between gateways (ARI media legs, dialplan AudioSocket sessions).</summary>
    public static RunSummary SummarizeWithMoves(IReadOnlyList<CallReport> calls, bool ari) => Summarize(calls) with
    {
        LegSwitchGap = TimingStats.FromValues([.. calls.Where(static c => c.MaxLegSwitchGapMs is not null).Select(static c => c.MaxLegSwitchGapMs!.Value)]),
        CallsThatSwitchedLegs = calls.Count(static c => c.MediaLegs > 1),
        CallsThatLeftTheirBridge = ari ? calls.Count(static c => c.CallerStayedInBridge == false) : null,
    };
}
