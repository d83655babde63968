using System.Diagnostics.Metrics;
using AiAgent.Grains.Interfaces.Diagnostics;

namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>
/// Counters of the Deepgram provider (meter <c>AiAgent.Providers.Deepgram</c>), every instrument labelled
/// <c>provider=deepgram</c>: faults by kind and code, reconnects, provider-reported latency, dropped audio.
/// </summary>
public sealed class DeepgramMetrics
{
    /// <summary>The meter name to enable in OpenTelemetry.</summary>
    public const string MeterName = TelemetryNames.DeepgramMeter;

    private static readonly KeyValuePair<string, object?> s_provider = new("provider", DeepgramOptions.Name);

    private readonly Counter<long> _sessions;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _warnings;
    private readonly Counter<long> _reconnects;
    private readonly Counter<long> _keepAlives;
    private readonly Counter<long> _functionCalls;
    private readonly Counter<long> _droppedBytes;
    private readonly Histogram<double> _latency;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public DeepgramMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _sessions = meter.CreateCounter<long>("aiagent.deepgram.sessions", "{session}", "Deepgram sessions that ended, by outcome");
        _errors = meter.CreateCounter<long>("aiagent.deepgram.errors", "{error}", "Deepgram faults by kind and code (bad key, server Error, disconnect, idle timeout ...)");
        _warnings = meter.CreateCounter<long>("aiagent.deepgram.warnings", "{warning}", "Deepgram Warning messages by code");
        _reconnects = meter.CreateCounter<long>("aiagent.deepgram.reconnects", "{reconnect}", "Deepgram reconnects that restored the session, by reason (fault, or a planned rollover before the session cap)");
        _keepAlives = meter.CreateCounter<long>("aiagent.deepgram.keepalives", "{message}", "KeepAlive messages sent while no caller audio flowed");
        _functionCalls = meter.CreateCounter<long>("aiagent.deepgram.function_calls", "{call}", "FunctionCallRequest entries received");
        _droppedBytes = meter.CreateCounter<long>("aiagent.deepgram.dropped_audio", "By", "Audio bytes dropped, by direction and reason");
        _latency = meter.CreateHistogram<double>("aiagent.deepgram.agent_latency", "s", "Latency Deepgram reports in AgentStartedSpeaking, by stage (total, think, speak)");
    }

    internal void SessionEnded(string outcome) => _sessions.Add(1, s_provider, new("outcome", outcome));

    internal void Error(ProviderErrorKind kind, string code) => _errors.Add(1, s_provider, new("kind", kind.ToString()), new("code", code));

    internal void Warning(string code) => _warnings.Add(1, s_provider, new("code", code));

    /// <summary>A restored session: <paramref name="planned"/> for a rollover before the 2-hour cap, else after a fault.</summary>
    internal void Reconnected(bool planned) => _reconnects.Add(1, s_provider, new("reason", planned ? "rollover" : "fault"));

    internal void KeepAliveSent() => _keepAlives.Add(1, s_provider);

    internal void FunctionCall(bool clientSide) => _functionCalls.Add(1, s_provider, new("client_side", clientSide));

    internal void Dropped(string direction, string reason, long bytes) =>
        _droppedBytes.Add(bytes, s_provider, new("direction", direction), new("reason", reason));

    internal void Latency(double total, double? think, double? speak)
    {
        _latency.Record(total, s_provider, new("stage", "total"));
        if (think is { } t)
        {
            _latency.Record(t, s_provider, new("stage", "think"));
        }

        if (speak is { } s)
        {
            _latency.Record(s, s_provider, new("stage", "speak"));
        }
    }
}
