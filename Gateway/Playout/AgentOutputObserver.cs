using AiAgent.Gateway.Diagnostics;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Logging;

namespace AiAgent.Gateway.Playout;

/// <summary>
/// The gateway's end of one call's agent output (<see cref="IAgentOutput"/>): admits events in order and from the
/// activation it follows (<see cref="AgentStreamSequenceGate"/>), hands each to the call's <see cref="PlayoutCall"/>,
/// and passes a hand-over to the connection.
/// </summary>
/// <remarks>
/// The grain sends one event at a time and awaits it, so events of one activation never overlap; during a failover two
/// activations may call at once, hence the lock around the gate. Runs on Orleans' threads, outside the connection's
/// log scope.
/// </remarks>
internal sealed partial class AgentOutputObserver(PlayoutCall call, GatewayMetrics metrics, ILogger logger) : IAgentOutput
{
    private readonly Lock _lock = new();
    private readonly AgentStreamSequenceGate _gate = new();

    /// <summary>Raised when the activation hands the call over (its silo shuts down): the next epoch to attach.</summary>
    public event Action<int>? HandoverRequested;

    /// <summary>Raised for each agent audio chunk admitted (the caller's turn has been answered).</summary>
    public event Action? AgentAudioArrived;

    /// <summary>The epoch followed now.</summary>
    public int Epoch
    {
        get
        {
            lock (_lock)
            {
                return _gate.Epoch;
            }
        }
    }

    /// <summary>Follows <paramref name="epoch"/> from now on: events of older activations are refused.</summary>
    public void Follow(int epoch)
    {
        lock (_lock)
        {
            _gate.Follow(epoch);
        }
    }

    /// <inheritdoc/>
    public Task<bool> OnAgentEventAsync(AgentStreamEvent e)
    {
        SequenceVerdict verdict;
        long expected;
        lock (_lock)
        {
            expected = _gate.Expected;
            verdict = _gate.Admit(e.Epoch, e.Sequence);
        }

        switch (verdict)
        {
            case SequenceVerdict.Stale:
                metrics.StreamAnomaly("stale_epoch");
                LogStaleEpoch(call.CallId, e.Epoch);
                return Task.FromResult(false);
            case SequenceVerdict.Duplicate:
                metrics.StreamAnomaly("duplicate");
                LogSequenceAnomaly(call.CallId, e.Sequence, expected);
                return Task.FromResult(true);
            case SequenceVerdict.Gap:
                metrics.StreamAnomaly("gap");
                LogSequenceAnomaly(call.CallId, e.Sequence, expected);
                break;
        }

        switch (e)
        {
            case AgentAudioChunk chunk:
                call.Enqueue(chunk);
                AgentAudioArrived?.Invoke();
                break;
            case AgentUtteranceDone done:
                call.MarkDone(done.UtteranceId);
                break;
            case FlushPlayout flush:
                call.Flush(flush.UtteranceId);
                break;
            case CallEnding ending:
                LogCallEnding(call.CallId, ending.Reason, ending.DrainPlayout);
                call.RequestEnd(ending.Reason, byPlatform: true, drain: ending.DrainPlayout);
                break;
            case CallHandover handover:
                LogHandover(call.CallId, handover.Epoch, handover.NextEpoch);
                HandoverRequested?.Invoke(handover.NextEpoch);
                break;
        }

        return Task.FromResult(true);
    }

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Call {CallId}: platform ends the call ({Reason}, drain {Drain})")]
    private partial void LogCallEnding(Guid callId, CallEndReason reason, bool drain);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Warning, Message = "Call {CallId}: agent output event {Sequence} out of order (expected {Expected})")]
    private partial void LogSequenceAnomaly(Guid callId, long sequence, long expected);

    [LoggerMessage(EventId = 2207, Level = LogLevel.Information, Message = "Call {CallId}: epoch {Epoch} hands the call over to epoch {NextEpoch}")]
    private partial void LogHandover(Guid callId, int epoch, int nextEpoch);

    [LoggerMessage(EventId = 2208, Level = LogLevel.Debug, Message = "Call {CallId}: refused an event of replaced epoch {Epoch}")]
    private partial void LogStaleEpoch(Guid callId, int epoch);
}
