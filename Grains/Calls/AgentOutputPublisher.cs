using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Sends a call's agent output events to the gateway's <see cref="IAgentOutput"/> one at a time, in the order they are
/// queued, each with the next sequence number and this activation's epoch (the gateway checks both). Queuing never
/// waits; the sending loop runs on the scheduler that created this publisher (the grain's), so it interleaves with the
/// grain's turns but never runs beside them. A re-attached call swaps the target; events already queued go to the new one.
/// </summary>
/// <remarks>
/// A send that fails (not one the gateway refuses) is retried a few times within about 0.75 s: while a silo restarts,
/// the gateway's Orleans client can be without a connection to the grain's silo for a moment ("failed to address
/// message"), and an answer lost then is a turn the caller never hears. Once an event has used up its retries, the
/// next ones get one attempt each until one gets through, so a gateway that is really gone does not hold the queue.
/// A plain loop rather than a Polly pipeline: it must resume on the grain's scheduler, and the target can change
/// between attempts (a re-attach: the retry goes to the new one).
/// </remarks>
internal sealed class AgentOutputPublisher
{
    private static readonly TimeSpan[] s_retryDelays = [TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(400)];

    private readonly Channel<AgentStreamEvent> _outbound = Channel.CreateUnbounded<AgentStreamEvent>(new() { SingleReader = true });
    private readonly CallContext _call;
    private readonly int _epoch;
    private readonly Task _publishing;
    private IAgentOutput? _output;
    private long _sequence;
    private bool _deliveryFailing;

    /// <summary>Starts sending to <paramref name="output"/> (null: none yet, events wait for <see cref="Retarget"/>'s target).</summary>
    public AgentOutputPublisher(IAgentOutput? output, int epoch, CallContext call)
    {
        _output = output;
        _epoch = epoch;
        _call = call;
        _publishing = PublishAsync();
    }

    /// <summary>Raised (on the grain's scheduler) when the gateway answers that it follows a newer activation.</summary>
    public event Action? Refused;

    /// <summary>Where events go now (null while detached).</summary>
    public IAgentOutput? Target => _output;

    /// <summary>Sends what follows to <paramref name="output"/> (another gateway took the call).</summary>
    public void Retarget(IAgentOutput? output) => _output = output;

    /// <summary>Queues converted agent audio of one provider chunk.</summary>
    public void AudioChunk(int utteranceId, ReadOnlyMemory<byte> audio, DateTime providerReceivedAtUtc) =>
        Queue(new AgentAudioChunk(NextSequence(), utteranceId, audio, providerReceivedAtUtc) { Epoch = _epoch });

    /// <summary>Queues the end of an utterance's audio.</summary>
    public void UtteranceDone(int utteranceId) => Queue(new AgentUtteranceDone(NextSequence(), utteranceId) { Epoch = _epoch });

    /// <summary>Queues a barge-in flush of an utterance.</summary>
    public void Flush(int utteranceId) => Queue(new FlushPlayout(NextSequence(), utteranceId) { Epoch = _epoch });

    /// <summary>Queues the end of the call.</summary>
    public void CallEnding(CallEndReason reason, bool drainPlayout) => Queue(new CallEnding(NextSequence(), reason, drainPlayout) { Epoch = _epoch });

    /// <summary>Queues the hand-over to <paramref name="nextEpoch"/> (this activation is leaving).</summary>
    public void Handover(int nextEpoch) => Queue(new CallHandover(NextSequence(), nextEpoch) { Epoch = _epoch });

    /// <summary>No more events: the loop ends once the queued ones are sent.</summary>
    public void Complete() => _outbound.Writer.TryComplete();

    /// <summary>Waits (at most <paramref name="timeout"/>) for the queued events to be sent, after <see cref="Complete"/>.</summary>
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
            if (_output is not { } output)
            {
                // Detached: no gateway holds the caller, so there is no one to play this to.
                continue;
            }

            await SendAsync(output, e);
        }
    }

    private async Task SendAsync(IAgentOutput output, AgentStreamEvent e)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                if (!await output.OnAgentEventAsync(e))
                {
                    CallLog.OutputRefused(_call.Logger, _call.CallId, _epoch);
                    _output = null;
                    Refused?.Invoke();
                }

                _deliveryFailing = false;
                return;
            }
            catch (Exception ex)
            {
                if (_deliveryFailing || attempt == s_retryDelays.Length)
                {
                    _deliveryFailing = true;
                    CallLog.OutputFailed(_call.Logger, ex, _call.CallId, e.Sequence);
                    return;
                }
            }

            await Task.Delay(s_retryDelays[attempt], _call.Time);
            if (_output is not { } current)
            {
                return; // detached meanwhile: no one to play it to
            }

            output = current; // re-attached meanwhile: the event goes to the connection that carries the call now
        }
    }
}
