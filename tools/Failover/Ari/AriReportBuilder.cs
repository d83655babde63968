using AiAgent.CallSim.Reporting;
using AiAgent.Failover.Platform;
using AiAgent.Failover.Reporting;
using AiAgent.Failover.Scenarios;

namespace AiAgent.Failover.Ari;

/// <summary>Turns an ARI call's conversation, its legs, the event and its transcript into the run's report.</summary>
internal static class AriReportBuilder
{
    /// <summary>One call's report. <paramref name="gateway"/> carried its leg before the event (null: unknown).</summary>
    public static CallReport Call(AriCallRun call, FailoverEvent failoverEvent, string? gateway, TranscriptCheck transcript)
    {
        var conversation = call.Summarize();
        var eventMs = call.Caller.StartedUtc is { } started ? (failoverEvent.StartUtc - started).TotalMilliseconds : 0;
        var impact = conversation.Around(eventMs);
        var switches = call.Call?.MediaLegSwitchGaps.Select(static g => g.TotalMilliseconds).ToArray() ?? [];
        var heardSwitches = call.Call?.HeardLegSwitchGaps.Select(static g => g.TotalMilliseconds).ToArray() ?? [];
        return new CallReport
        {
            CallId = call.CallId?.ToString() ?? call.Call?.ChannelId ?? "?",
            Gateway = gateway,
            OnTarget = gateway is null ? null : failoverEvent.AffectedSilos.Contains(gateway),
            Outcome = call.EarlyEnd is null ? "CallerHangup" : "PlatformHangup",
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
            MaxFrameGapMs = call.Caller.MaxHeardGapMs,
            TranscriptLinesBefore = transcript.LinesBefore,
            TranscriptLinesAfter = transcript.LinesAfter,
            TranscriptBeforeAndAfter = transcript.BeforeAndAfter,
            TranscriptError = transcript.Error,
            CallerStayedInBridge = call.StayedInBridge,
            MediaLegs = call.Call?.MediaLegsUsed ?? 0,
            LegSwitchGapsMs = switches,
            HeardLegSwitchGapsMs = heardSwitches,
            MaxLegSwitchGapMs = switches.Length == 0 ? null : switches.Max(),
        };
    }

    /// <summary>The run's figures: the dialplan mode's, plus the leg switches.</summary>
    public static RunSummary Summarize(IReadOnlyList<CallReport> calls) => ReportBuilder.Summarize(calls) with
    {
        LegSwitchGap = TimingStats.FromValues([.. calls.Where(static c => c.MaxLegSwitchGapMs is not null).Select(static c => c.MaxLegSwitchGapMs!.Value)]),
        CallsThatSwitchedLegs = calls.Count(static c => c.MediaLegs > 1),
        CallsThatLeftTheirBridge = calls.Count(static c => c.CallerStayedInBridge == false),
    };
}
