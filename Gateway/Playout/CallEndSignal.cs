using System.IO.Pipelines;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Gateway.Playout;

/// <summary>
/// How one call's playout ends: the first reason given wins, a draining end waits out the audio written ahead,
/// and the connection's read loop is stopped once (its pending read cancelled).
/// </summary>
/// <remarks>The reason and the drain are kept under the owning call's lock; <see cref="Signal"/> may come from any thread.</remarks>
internal sealed class CallEndSignal(PipeReader input, int leadFrames)
{
    private int _signalled;

    /// <summary>Why the call is ending, once someone asked it to end.</summary>
    public CallEndReason? Reason { get; private set; }

    /// <summary>True when the platform (a <see cref="CallEnding"/> event) asked first, so the grain already knows.</summary>
    public bool ByPlatform { get; private set; }

    /// <summary>True once the read loop was told to stop.</summary>
    public bool IsSignalled => Volatile.Read(ref _signalled) == 1;

    /// <summary>Records why the call ends; false (and nothing changes) when a reason was given before.</summary>
    public bool TrySetReason(CallEndReason reason, bool byPlatform = false)
    {
        if (Reason is not null)
        {
            return false;
        }

        Reason = reason;
        ByPlatform = byPlatform;
        return true;
    }

    /// <summary>
    /// One pacer tick of an ending call; true when the end is due. It is due once the queue is played out and the
    /// lead written ahead of real time has had time to play: the hangup frame ends Asterisk's app at once, and
    /// the dialplan's next step would cut the tail. The lead plays out from the last frame written, not from when the
    /// end was asked for, so a request that arrives late (the grain heard of the playout a round trip after it) does
    /// not wait the lead again.
    /// </summary>
    /// <param name="queueEmpty">Nothing is left to play.</param>
    /// <param name="ticksSinceLastFrame">
    /// Ticks since the call's last agent frame went out: 0 on the tick that wrote it, large when none ever did. That
    /// frame was written <c>leadFrames</c> ahead of its time, so it has played <c>leadFrames + 1</c> ticks later.
    /// </param>
    public bool DrainTick(bool queueEmpty, int ticksSinceLastFrame) => queueEmpty && ticksSinceLastFrame > leadFrames;

    /// <summary>Stops the read loop (the first call only).</summary>
    public void Signal()
    {
        if (Interlocked.Exchange(ref _signalled, 1) == 0)
        {
            try
            {
                input.CancelPendingRead();
            }
            catch (InvalidOperationException)
            {
                // The read loop has already finished and completed the reader.
            }
        }
    }
}
