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
        var eventMs = call.Caller.StartedUtc is { } started ? (failoverEvent.StartUtc - started).TotalMilliseconds : 0;
        var switches = call.Call?.MediaLegSwitchGaps.Select(static g => g.TotalMilliseconds).ToArray() ?? [];
        var report = new CallReport
        {
            CallId = call.CallId?.ToString() ?? call.Call?.ChannelId ?? "?",
            Gateway = gateway,
            OnTarget = gateway is null ? null : failoverEvent.AffectedSilos.Contains(gateway),
            Outcome = call.EarlyEnd is null ? "CallerHangup" : "PlatformHangup",
            MaxFrameGapMs = call.Caller.MaxHeardGapMs,
            CallerStayedInBridge = call.StayedInBridge,
            MediaLegs = call.Call?.MediaLegsUsed ?? 0,
            LegSwitchGapsMs = switches,
            HeardLegSwitchGapsMs = call.Call?.HeardLegSwitchGaps.Select(static g => g.TotalMilliseconds).ToArray() ?? [],
            MaxLegSwitchGapMs = switches.Length == 0 ? null : switches.Max(),
        };
        return ReportBuilder.WithConversation(report, call.Summarize(), eventMs, transcript);
    }

}
