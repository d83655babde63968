using AiAgent.Grains.Interfaces.Calls;
using Orleans.Streams;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Publishes a call's stream events one at a time, in the order they are queued, each with the next sequence number
/// (the gateway checks the order by it). Queuing never waits; the publishing loop runs on the scheduler that created
/// this publisher (the grain's), so it interleaves with the grain's turns but never runs beside them.
/// </summary>
internal sealed class AgentStreamPublisher
{
    private readonly Channel<AgentStreamEvent> _outbound = Channel.CreateUnbounded<AgentStreamEvent>(new() { SingleReader = true });
    private readonly IAsyncObserver<AgentStreamEvent> _stream;
    private readonly CallContext _call;
    private readonly Task _publishing;
    private long _sequence;

    /// <summary>Starts publishing to <paramref name="stream"/> (the call's agent-output stream).</summary>
    public AgentStreamPublisher(IAsyncObserver<AgentStreamEvent> stream, CallContext call)
    {
        _stream = stream;
        _call = call;
        _publishing = PublishAsync();
    }

    /// <summary>Queues converted agent audio of one provider chunk.</summary>
    public void AudioChunk(int utteranceId, ReadOnlyMemory<byte> audio, DateTime providerReceivedAtUtc) =>
        Queue(new AgentAudioChunk(NextSequence(), utteranceId, audio, providerReceivedAtUtc));

    /// <summary>Queues the end of an utterance's audio.</summary>
    public void UtteranceDone(int utteranceId) => Queue(new AgentUtteranceDone(NextSequence(), utteranceId));

    /// <summary>Queues a barge-in flush of an utterance.</summary>
    public void Flush(int utteranceId) => Queue(new FlushPlayout(NextSequence(), utteranceId));

    /// <summary>Queues the end of the call.</summary>
    public void CallEnding(CallEndReason reason, bool drainPlayout) => Queue(new CallEnding(NextSequence(), reason, drainPlayout));

    /// <summary>No more events: the loop ends once the queued ones are published.</summary>
    public void Complete() => _outbound.Writer.TryComplete();

    /// <summary>Waits (at most <paramref name="timeout"/>) for the queued events to be published, after <see cref="Complete"/>.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        try
        {
            await _publishing.WaitAsync(timeout, _call.Time);
        }
        catch (TimeoutException)
        {
        }
    }

    private long NextSequence() => ++_sequence;

    private void Queue(AgentStreamEvent e) => _outbound.Writer.TryWrite(e);

    private async Task PublishAsync()
    {
        await foreach (var e in _outbound.Reader.ReadAllAsync())
        {
            try
            {
                await _stream.OnNextAsync(e);
            }
            catch (Exception ex)
            {
                CallLog.PublishFailed(_call.Logger, ex, _call.CallId, e.Sequence);
            }
        }
    }
}
