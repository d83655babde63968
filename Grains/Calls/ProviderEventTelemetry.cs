using AiAgent.Grains.Providers;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Turns the provider events the call only observes (session started or ended, errors, reconnects, latency and
/// token usage) into logs, metrics and the snapshot's counters. Acting on them is the grain's business.
/// </summary>
internal sealed class ProviderEventTelemetry(CallContext call)
{
    /// <summary>Provider errors reported.</summary>
    public long Errors { get; private set; }

    /// <summary>Provider sessions reconnected mid-call.</summary>
    public long Reconnects { get; private set; }

    /// <summary>Records <paramref name="e"/> if it is one of the observed events; others pass untouched.</summary>
    public void Record(ProviderEvent e)
    {
        switch (e)
        {
            case SessionStarted started:
                CallLog.SessionStarted(call.Logger, call.CallId, call.Provider, started.SessionId);
                break;
            case ProviderError error:
                Errors++;
                call.Metrics.ProviderError(call.Provider, error.Kind.ToString());
                CallLog.ProviderError(call.Logger, call.CallId, call.Provider, error.Kind, error.Code, error.Message, error.Fatal);
                break;
            case ProviderLatency latency:
                call.Metrics.ProviderLatency(call.Provider, "total", latency.Total);
                if (latency.Think is { } think)
                {
                    call.Metrics.ProviderLatency(call.Provider, "think", think);
                }

                if (latency.Speak is { } speak)
                {
                    call.Metrics.ProviderLatency(call.Provider, "speak", speak);
                }

                break;
            case ProviderUsage usage:
                call.Metrics.ProviderUsage(call.Provider, usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens, usage.Status);
                break;
            case ProviderReconnected reconnected:
                Reconnects++;
                call.Metrics.ProviderReconnect(call.Provider);
                CallLog.ProviderReconnected(call.Logger, call.CallId, call.Provider, reconnected.Attempt);
                break;
            case SessionEnded ended:
                CallLog.SessionEnded(call.Logger, call.CallId, call.Provider, ended.Reason, ended.HangUp);
                break;
        }
    }
}
