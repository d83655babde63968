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
        var conversation = call.Conversation;
        var eventMs = call.ConnectedAtUtc is { } connected ? (failoverEvent.StartUtc - connected).TotalMilliseconds : 0;
        var impact = conversation?.Around(eventMs);
        return new CallReport
        {
            CallId = call.CallId,
            Silo = silo,
            OnTarget = failoverEvent switch
            {
                { AffectedSilos.Count: 0 } => false, // Redis restarted: no call lost its silo
                _ when silo is not null => failoverEvent.AffectedSilos.Contains(silo),
                { Scenario: "rolling" } => true, // every silo went away in turn
                _ => null,
            },
            Outcome = call.Outcome.ToString(),
            Dropped = conversation?.Dropped ?? !call.Passed,
            DropReason = conversation?.DropReason ?? (call.Passed ? null : call.Error ?? call.Outcome.ToString()),
            Turns = conversation?.Cycles.Count ?? 0,
            TurnsAfterEvent = impact?.TurnsAfter ?? 0,
            UnansweredAfterEvent = impact?.UnansweredAfter ?? 0,
            LongestWaitBeforeEventMs = impact?.LongestWaitBeforeMs,
            LongestWaitSpanningEventMs = impact?.LongestWaitSpanningMs,
            MaxPlayoutGapMs = conversation?.MaxPlayoutGapMs,
            MaxPlayoutGapFromEventMs = conversation?.MaxPlayoutGapAtMs - eventMs,
            PlayoutGapsOver60Ms = conversation?.PlayoutGapsOverLimit ?? 0,
            PlayoutGapsOver60MsAfterEvent = impact?.GapsOverLimitAfter ?? 0,
            MaxFrameGapMs = call.Gaps.MaxMs,
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
}
