using System.Diagnostics.Metrics;
using AiAgent.Grains.Interfaces.Diagnostics;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Call metrics (meter <c>AiAgent.Calls</c>). Every instrument carries a <c>provider</c> tag and never a call id
/// (unbounded cardinality; per-call detail lives in the grain and the call API). Names keep the Python anchor's
/// <c>ai_agent_*</c> shape; the Prometheus exporter adds unit and <c>_total</c> suffixes.
/// </summary>
public sealed class CallMetrics
{
    /// <summary>The meter name to export.</summary>
    public const string MeterName = TelemetryNames.CallsMeter;

    private readonly UpDownCounter<long> _activeCalls;
    private readonly Counter<long> _callsStarted;
    private readonly Counter<long> _callsEnded;
    private readonly Histogram<double> _turnResponse;
    private readonly Histogram<double> _greetingLatency;
    private readonly Counter<long> _callerFrames;
    private readonly Counter<long> _callerFramesLost;
    private readonly Counter<long> _callerFramesOutOfOrder;
    private readonly Counter<long> _agentChunks;
    private readonly Counter<long> _agentAudioBytes;
    private readonly Counter<long> _bargeIns;
    private readonly Counter<long> _bargeInsSuppressed;
    private readonly Counter<long> _agentActions;
    private readonly Counter<long> _providerErrors;
    private readonly Counter<long> _providerReconnects;
    private readonly Histogram<double> _providerLatency;
    private readonly Counter<long> _providerTokens;
    private readonly Counter<long> _providerResponses;
    private readonly Counter<long> _failovers;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public CallMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _activeCalls = meter.CreateUpDownCounter<long>("ai_agent_active_calls", "{call}", "Calls in progress.");
        _callsStarted = meter.CreateCounter<long>("ai_agent_calls_started", "{call}", "Calls started.");
        _callsEnded = meter.CreateCounter<long>("ai_agent_calls_ended", "{call}", "Calls ended, by outcome.");
        _turnResponse = meter.CreateHistogram<double>("ai_agent_turn_response", "s", "End of caller speech to the first agent frame written to the caller.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _greetingLatency = meter.CreateHistogram<double>("ai_agent_greeting_latency", "s", "Call start to the first agent frame written to the caller.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _callerFrames = meter.CreateCounter<long>("ai_agent_caller_frames", "{frame}", "Caller audio messages received by call grains.");
        _callerFramesLost = meter.CreateCounter<long>("ai_agent_caller_frames_lost", "{frame}", "Caller audio messages missing (sequence gaps).");
        _callerFramesOutOfOrder = meter.CreateCounter<long>("ai_agent_caller_frames_out_of_order", "{frame}", "Caller audio messages late or duplicated, dropped.");
        _agentChunks = meter.CreateCounter<long>("ai_agent_agent_chunks", "{chunk}", "Converted agent audio chunks published to gateways.");
        _agentAudioBytes = meter.CreateCounter<long>("ai_agent_agent_audio", "By", "Agent audio published to gateways, in the call format.");
        _bargeIns = meter.CreateCounter<long>("ai_agent_barge_ins", "{event}", "Caller speech that interrupted the agent.");
        _bargeInsSuppressed = meter.CreateCounter<long>("ai_agent_barge_ins_suppressed", "{event}", "Caller speech ignored by greeting protection or the echo guard.");
        _providerErrors = meter.CreateCounter<long>("ai_agent_provider_errors", "{error}", "Provider errors, by kind.");
        _providerReconnects = meter.CreateCounter<long>("ai_agent_provider_reconnects", "{reconnect}", "Provider sessions reconnected mid-call.");
        _providerTokens = meter.CreateCounter<long>("ai_agent_provider_tokens", "{token}", "Tokens the provider billed, by kind (input, cached_input, output).");
        _providerResponses = meter.CreateCounter<long>("ai_agent_provider_responses", "{response}", "Agent responses the provider finished, by status.");
        _failovers = meter.CreateCounter<long>("ai_agent_call_failovers", "{call}", "Calls carried on by another activation or gateway, by kind (silo_lost, silo_drained, gateway_reattach).");
        _agentActions = meter.CreateCounter<long>("ai_agent_agent_actions", "{action}", "Calls the agent ended or transferred (hangup_call, transfer_call), by kind and outcome.");
        _providerLatency = meter.CreateHistogram<double>("ai_agent_provider_latency", "s", "Latency the provider reports for a turn, by stage (total, think, speak).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
    }

    private static readonly double[] LatencyBuckets = [0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10];

    private static KeyValuePair<string, object?> Provider(string provider) => new("provider", provider);

    /// <summary>A call started on <paramref name="provider"/>.</summary>
    public void CallStarted(string provider)
    {
        _activeCalls.Add(1, Provider(provider));
        _callsStarted.Add(1, Provider(provider));
    }

    /// <summary>A live call's activation arrived on this silo (restored or handed over): live here, not a new call.</summary>
    public void CallMovedIn(string provider) => _activeCalls.Add(1, Provider(provider));

    /// <summary>A live call's activation left this silo (handed over or replaced): no longer live here, not ended.</summary>
    public void CallMovedOut(string provider) => _activeCalls.Add(-1, Provider(provider));

    /// <summary>A call ended with <paramref name="outcome"/>.</summary>
    public void CallEnded(string provider, string outcome)
    {
        _activeCalls.Add(-1, Provider(provider));
        _callsEnded.Add(1, Provider(provider), new("outcome", outcome));
    }

    /// <summary>Records a turn's response latency.</summary>
    public void TurnResponse(string provider, TimeSpan latency) => _turnResponse.Record(latency.TotalSeconds, Provider(provider));

    /// <summary>Records the greeting latency.</summary>
    public void GreetingLatency(string provider, TimeSpan latency) => _greetingLatency.Record(latency.TotalSeconds, Provider(provider));

    /// <summary>Counts caller audio messages.</summary>
    public void CallerFrames(string provider, long received, long lost, long outOfOrder)
    {
        _callerFrames.Add(received, Provider(provider));
        if (lost != 0)
        {
            _callerFramesLost.Add(lost, Provider(provider));
        }

        if (outOfOrder != 0)
        {
            _callerFramesOutOfOrder.Add(outOfOrder, Provider(provider));
        }
    }

    /// <summary>Counts a published agent chunk.</summary>
    public void AgentChunk(string provider, int bytes)
    {
        _agentChunks.Add(1, Provider(provider));
        _agentAudioBytes.Add(bytes, Provider(provider));
    }

    /// <summary>Counts a barge-in, or one suppressed with its <paramref name="reason"/>.</summary>
    public void BargeIn(string provider, string? suppressedBy)
    {
        if (suppressedBy is null)
        {
            _bargeIns.Add(1, Provider(provider));
        }
        else
        {
            _bargeInsSuppressed.Add(1, Provider(provider), new("reason", suppressedBy));
        }
    }

    /// <summary>Counts a provider error.</summary>
    public void ProviderError(string provider, string kind) => _providerErrors.Add(1, Provider(provider), new("kind", kind));

    /// <summary>Records the latency a provider reported for one stage of a turn.</summary>
    public void ProviderLatency(string provider, string stage, TimeSpan latency) =>
        _providerLatency.Record(latency.TotalSeconds, Provider(provider), new("stage", stage));

    /// <summary>Counts the tokens of one provider response.</summary>
    public void ProviderUsage(string provider, int input, int cachedInput, int output, string status)
    {
        _providerTokens.Add(input, Provider(provider), new("kind", "input"));
        _providerTokens.Add(cachedInput, Provider(provider), new("kind", "cached_input"));
        _providerTokens.Add(output, Provider(provider), new("kind", "output"));
        _providerResponses.Add(1, Provider(provider), new("status", status));
    }

    /// <summary>Counts a provider reconnect.</summary>
    public void ProviderReconnect(string provider) => _providerReconnects.Add(1, Provider(provider));

    /// <summary>A call carried on after losing its activation or its gateway (<paramref name="kind"/>: silo_lost, silo_drained, gateway_reattach).</summary>
    public void Failover(string provider, string kind) => _failovers.Add(1, Provider(provider), new("kind", kind));

    /// <summary>
    /// An agent-initiated end of a call once its farewell played (<paramref name="kind"/>: hangup, transfer, warm_transfer)
    /// and how it went (<paramref name="outcome"/>: played_out, no_farewell, deadline, or a warm transfer's outcome).
    /// </summary>
    public void AgentAction(string provider, string kind, string outcome) =>
        _agentActions.Add(1, Provider(provider), new("kind", kind), new("outcome", outcome));

    /// <summary>A warm transfer ended with <paramref name="outcome"/>.</summary>
    public void WarmTransfer(string provider, Interfaces.Asterisk.WarmTransferOutcome outcome) =>
        AgentAction(provider, "warm_transfer", outcome.ToString().ToLowerInvariant());
}
