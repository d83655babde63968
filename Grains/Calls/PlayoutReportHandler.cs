using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Takes the gateway's playout reports: every one goes on to the provider session (so it knows when agent audio really
/// ended for the caller), updates the <see cref="PlayoutTracker"/>, times the answer when its first frame played, and
/// tells the provider how much of an utterance the caller heard when barge-in flushed it.
/// </summary>
internal sealed class PlayoutReportHandler(PlayoutTracker playout, TurnLatencyTracker latency, IAgentSession session, CallContext call)
{
    /// <summary>Handles one report; <paramref name="callActive"/> false (the call is over) keeps the session out of it.</summary>
    public async Task OnReportAsync(PlayoutReport report, bool callActive, CancellationToken cancellationToken)
    {
        if (callActive)
        {
            await CallSessionAsync(() => session.OnPlayoutReportAsync(report, cancellationToken), "playout report");
        }

        switch (playout.OnPlayoutReport(report))
        {
            case { } started when report.Event == PlayoutEvent.Started:
                latency.OnPlayoutStarted(started, report.AtUtc);
                break;
            case { Interrupted: true } flushed when report.Event == PlayoutEvent.Flushed && callActive:
                await CallSessionAsync(() => session.NotifyPlayoutInterruptedAsync(flushed.Id, report.PlayedMilliseconds, cancellationToken), "playout interrupted");
                break;
        }
    }

    /// <summary>The call can live without these: a failure is logged, not thrown.</summary>
    private async Task CallSessionAsync(Func<ValueTask> operation, string name)
    {
        try
        {
            await operation();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            CallLog.ProviderCallFailed(call.Logger, ex, call.CallId, name);
        }
    }
}
