using AiAgent.Gateway.Diagnostics;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace AiAgent.Gateway.Playout;

/// <summary>
/// The gateway's subscription to one call's agent stream: admits events in order
/// (<see cref="AgentStreamSequenceGate"/>) and hands each to the call's <see cref="PlayoutCall"/>.
/// </summary>
/// <remarks>Orleans delivers a subscription's events one at a time, on its own threads (outside the connection's log scope).</remarks>
internal sealed partial class AgentStreamObserver(PlayoutCall call, GatewayMetrics metrics, ILogger logger) : IAsyncObserver<AgentStreamEvent>
{
    private readonly AgentStreamSequenceGate _gate = new();

    /// <inheritdoc/>
    public Task OnNextAsync(AgentStreamEvent item, StreamSequenceToken? token = null)
    {
        if (!Admit(item.Sequence))
        {
            return Task.CompletedTask;
        }

        switch (item)
        {
            case AgentAudioChunk chunk:
                call.Enqueue(chunk);
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
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task OnCompletedAsync() => Task.CompletedTask;

    /// <inheritdoc/>
    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(call.CallId, ex);
        return Task.CompletedTask;
    }

    private bool Admit(long sequence)
    {
        var expected = _gate.Expected;
        var verdict = _gate.Admit(sequence);
        if (verdict == SequenceVerdict.InOrder)
        {
            return true;
        }

        metrics.StreamAnomaly(verdict == SequenceVerdict.Duplicate ? "duplicate" : "gap");
        LogSequenceAnomaly(call.CallId, sequence, expected);
        return verdict != SequenceVerdict.Duplicate;
    }

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Call {CallId}: platform ends the call ({Reason}, drain {Drain})")]
    private partial void LogCallEnding(Guid callId, CallEndReason reason, bool drain);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "Call {CallId}: agent stream error")]
    private partial void LogStreamError(Guid callId, Exception ex);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Warning, Message = "Call {CallId}: agent stream event {Sequence} out of order (expected {Expected})")]
    private partial void LogSequenceAnomaly(Guid callId, long sequence, long expected);
}
