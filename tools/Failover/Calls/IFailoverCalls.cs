using AiAgent.CallSim.Reporting;
using AiAgent.Failover.Platform;
using AiAgent.Failover.Reporting;
using AiAgent.Failover.Scenarios;

namespace AiAgent.Failover.Calls;

/// <summary>A dialplan-mode run's calls: how they reach the gateways, and what each caller heard.</summary>
internal interface IFailoverCalls
{
    /// <summary>The calls' UUIDs, in start order.</summary>
    IReadOnlyList<Guid> CallIds { get; }

    /// <summary>Runs every call to its end; cancelling <paramref name="hangUp"/> hangs every caller up at once.</summary>
    Task RunAsync(CancellationToken hangUp);

    /// <summary>After <see cref="RunAsync"/>: how late the callers' clocks woke.</summary>
    TimingStats CallerClockLateness { get; }

    /// <summary>
    /// The gateway carrying each call just before the event (by call id); null when every call goes to the one gateway.
    /// Called at the event.
    /// </summary>
    IReadOnlyDictionary<Guid, PlatformNode>? CarriersNow();

    /// <summary>After <see cref="RunAsync"/>: call <paramref name="callId"/>'s report.</summary>
    CallReport Report(Guid callId, FailoverEvent failoverEvent, string? silo, TranscriptCheck transcript);
}
