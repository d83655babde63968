using System.Diagnostics.Metrics;
using AiAgent.Gateway.AudioSocket;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Interfaces.Diagnostics;

namespace AiAgent.Gateway.Diagnostics;

/// <summary>
/// The gateway's instruments on the <c>AiAgent.Gateway</c> meter (an exporter is wired by the host).
/// Per-frame counters carry no tags so adding to them never allocates on the 20 ms path.
/// </summary>
public sealed class GatewayMetrics
{
    /// <summary>The meter name.</summary>
    public const string MeterName = TelemetryNames.GatewayMeter;

    private readonly Counter<long> _framesIn;
    private readonly Counter<long> _framesOut;
    private readonly Counter<long> _keepaliveFrames;
    private readonly Counter<long> _gapFillFrames;
    private readonly Counter<long> _callerGaps;
    private readonly Counter<long> _lateFrames;
    private readonly Counter<long> _droppedFrames;
    private readonly Counter<long> _underruns;
    private readonly Counter<long> _pacerStalls;
    private readonly Counter<long> _streamAnomalies;
    private readonly Counter<long> _failovers;
    private readonly Counter<long> _protocolErrors;
    private readonly Counter<long> _callsEnded;
    private readonly UpDownCounter<long> _activeConnections;
    private readonly UpDownCounter<long> _draining;
    private readonly Counter<long> _drainedCalls;
    private readonly Histogram<double> _drainWait;
    private readonly Histogram<double> _platformLatency;
    private readonly Histogram<double> _pacerWakeLateness;
    private readonly Histogram<double> _pacerTickDuration;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>.</summary>
    public GatewayMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _framesIn = meter.CreateCounter<long>("ai_agent_gateway_frames_in", "{frame}", "Audio frames received from Asterisk");
        _framesOut = meter.CreateCounter<long>("ai_agent_gateway_frames_out", "{frame}", "Agent audio frames written to Asterisk");
        _keepaliveFrames = meter.CreateCounter<long>("ai_agent_gateway_frames_keepalive", "{frame}", "Silence frames written to keep an idle line alive");
        _gapFillFrames = meter.CreateCounter<long>("ai_agent_gateway_caller_gap_fill_frames", "{frame}", "Silence frames supplied to the grain while the caller sent no frames (audiosocket.caller_gap_fill_ms)");
        _callerGaps = meter.CreateCounter<long>("ai_agent_gateway_caller_gaps", "{gap}", "Gaps in the caller's media that were filled with silence");
        _lateFrames = meter.CreateCounter<long>("ai_agent_gateway_frames_late", "{frame}", "Frames written more than 5 ms after their deadline (reason=deadline), or held back because the socket was still flushing (reason=backpressure)");
        _droppedFrames = meter.CreateCounter<long>("ai_agent_gateway_frames_dropped", "{frame}", "Agent audio frames dropped because a playout queue was full");
        _underruns = meter.CreateCounter<long>("ai_agent_gateway_playout_underruns", "{event}", "Times a playing utterance ran out of audio before its end");
        _pacerStalls = meter.CreateCounter<long>("ai_agent_gateway_pacer_stalls", "{event}", "Times the pacer woke more than two frame periods late and resynchronised");
        _streamAnomalies = meter.CreateCounter<long>("ai_agent_gateway_stream_anomalies", "{event}", "Agent output events out of sequence (gap, duplicate) or from a replaced activation (stale_epoch)");
        _failovers = meter.CreateCounter<long>("ai_agent_gateway_call_restores", "{call}", "Calls this gateway restored on a live silo (kind silo_lost, silo_drained) or took over from another gateway connection (kind gateway_reattach)");
        _protocolErrors = meter.CreateCounter<long>("ai_agent_gateway_protocol_errors", "{error}", "AudioSocket sessions ended by invalid input");
        _callsEnded = meter.CreateCounter<long>("ai_agent_gateway_calls_ended", "{call}", "Calls ended, by reason");
        _activeConnections = meter.CreateUpDownCounter<long>("ai_agent_gateway_connections_active", "{connection}", "Open AudioSocket connections");
        _draining = meter.CreateUpDownCounter<long>("ai_agent_gateway_draining", "{gateway}", "1 while this gateway drains (its host is stopping), else 0");
        _drainedCalls = meter.CreateCounter<long>("ai_agent_gateway_drained_calls", "{call}", "Calls a draining gateway ended with the reconnect disposition, by moment (quiet, deadline)");
        _drainWait = meter.CreateHistogram<double>(
            "ai_agent_gateway_drain_wait", "s", "From the start of the drain to a call's end at a quiet moment or the deadline",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60] });
        _platformLatency = meter.CreateHistogram<double>(
            "ai_agent_platform_added_latency", "s", "From provider audio received by the grain to its first frame written to the socket",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1] });
        InstrumentAdvice<double> pacerBuckets = new() { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1] };
        _pacerWakeLateness = meter.CreateHistogram<double>("ai_agent_gateway_pacer_wake_lateness", "s", "How late the pacer thread woke after a tick's deadline", advice: pacerBuckets);
        _pacerTickDuration = meter.CreateHistogram<double>("ai_agent_gateway_pacer_tick_duration", "s", "Time one pacer tick spent writing all calls' frames", advice: pacerBuckets);
    }

    /// <summary>The <c>provider</c> tag of a call; cache it per call (a struct over an interned string: no allocation per frame).</summary>
    public static KeyValuePair<string, object?> ProviderTag(string provider) => new("provider", provider);

    /// <summary>An inbound audio frame.</summary>
    public void FrameIn(in KeyValuePair<string, object?> provider) => _framesIn.Add(1, provider);

    /// <summary>Outbound agent frames.</summary>
    public void FramesOut(int count, in KeyValuePair<string, object?> provider) => _framesOut.Add(count, provider);

    /// <summary>An outbound keepalive silence frame.</summary>
    public void KeepaliveFrame(in KeyValuePair<string, object?> provider) => _keepaliveFrames.Add(1, provider);

    /// <summary>Silence frames supplied to the grain across a caller media gap.</summary>
    public void CallerGapFillFrames(int count, in KeyValuePair<string, object?> provider) => _gapFillFrames.Add(count, provider);

    /// <summary>A caller media gap began to be filled.</summary>
    public void CallerGap(in KeyValuePair<string, object?> provider) => _callerGaps.Add(1, provider);

    private static readonly KeyValuePair<string, object?> s_lateByDeadline = new("reason", "deadline");
    private static readonly KeyValuePair<string, object?> s_lateByBackpressure = new("reason", "backpressure");

    /// <summary>Frames written more than 5 ms after their tick's deadline.</summary>
    public void LateFrames(int count, in KeyValuePair<string, object?> provider) => _lateFrames.Add(count, s_lateByDeadline, provider);

    /// <summary>A frame held back because the socket had not finished the previous flush (slow peer).</summary>
    public void BackpressuredFrame(in KeyValuePair<string, object?> provider) => _lateFrames.Add(1, s_lateByBackpressure, provider);

    /// <summary>Frames dropped from a full queue.</summary>
    public void DroppedFrames(long count, in KeyValuePair<string, object?> provider) => _droppedFrames.Add(count, provider);

    /// <summary>A playout underrun.</summary>
    public void Underrun(in KeyValuePair<string, object?> provider) => _underruns.Add(1, provider);

    /// <summary>One pacer tick: how late it woke and how long it took.</summary>
    public void PacerTick(TimeSpan wakeLateness, TimeSpan duration)
    {
        _pacerWakeLateness.Record(wakeLateness.TotalSeconds);
        _pacerTickDuration.Record(duration.TotalSeconds);
    }

    /// <summary>A pacer stall.</summary>
    public void PacerStall() => _pacerStalls.Add(1);

    /// <summary>A stream sequence anomaly.</summary>
    public void StreamAnomaly(string kind) => _streamAnomalies.Add(1, new KeyValuePair<string, object?>("kind", kind));

    /// <summary>A call restored on another activation (<paramref name="kind"/>: silo_lost, silo_drained) or re-attached (gateway_reattach).</summary>
    public void Failover(string kind, string provider) =>
        _failovers.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("provider", provider));

    /// <summary>A session ended by invalid input.</summary>
    public void ProtocolError(AudioSocketProtocolError error) => _protocolErrors.Add(1, new KeyValuePair<string, object?>("error", error.ToString()));

    /// <summary>A call ended.</summary>
    public void CallEnded(CallEndReason reason, string provider) =>
        _callsEnded.Add(1, new KeyValuePair<string, object?>("reason", reason.ToString()), new KeyValuePair<string, object?>("provider", provider));

    /// <summary>The drain began.</summary>
    public void Draining() => _draining.Add(1);

    /// <summary>A call ended for the drain, <paramref name="wait"/> after it began.</summary>
    public void CallDrained(bool atQuietMoment, TimeSpan wait)
    {
        var moment = new KeyValuePair<string, object?>("moment", atQuietMoment ? "quiet" : "deadline");
        _drainedCalls.Add(1, moment);
        _drainWait.Record(wait.TotalSeconds, moment);
    }

    /// <summary>A connection opened (+1) or closed (-1).</summary>
    public void Connection(int delta) => _activeConnections.Add(delta);

    /// <summary>Platform-added latency of one utterance's first frame.</summary>
    public void PlatformLatency(TimeSpan latency, string provider) =>
        _platformLatency.Record(latency.TotalSeconds, new KeyValuePair<string, object?>("provider", provider));
}
