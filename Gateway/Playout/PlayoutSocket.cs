using System.IO.Pipelines;
using AiAgent.Gateway.AudioSocket;

namespace AiAgent.Gateway.Playout;

/// <summary>Where the socket's last flush stands, seen from the pacer.</summary>
internal enum FlushState
{
    /// <summary>Nothing in flight: the socket takes frames.</summary>
    Ready,

    /// <summary>The last flush has not completed: the peer reads slowly, write nothing this tick.</summary>
    InFlight,

    /// <summary>The peer stopped reading or the transport failed: nothing more can be played.</summary>
    Gone,
}

/// <summary>
/// One call's outbound side of the socket: whole audio frames written straight into the pipe (no copy, no
/// allocation), and socket back-pressure: a flush is started, never awaited, so a slow peer holds up only
/// its own call, never the pacer. Not thread-safe: the owning call serialises access.
/// </summary>
internal sealed class PlayoutSocket(PipeWriter output, AudioSocketKind kind, int frameBytes)
{
    private ValueTask<FlushResult> _pendingFlush;
    private bool _flushPending;

    /// <summary>Bytes of one frame's payload.</summary>
    public int FrameBytes => frameBytes;

    /// <summary>The label every frame carries.</summary>
    public AudioSocketKind Kind => kind;

    /// <summary>Writes a frame header and returns its payload span; fill it, then <see cref="CommitFrame"/> (or drop it by not committing).</summary>
    public Span<byte> ReserveFrame() => AudioSocketFrameWriter.ReserveAudio(output, kind, frameBytes);

    /// <summary>Makes the frame last reserved part of the output.</summary>
    public void CommitFrame() => output.Advance(AudioSocketFrameReader.HeaderLength + frameBytes);

    /// <summary>Writes one frame of <paramref name="silenceByte"/>.</summary>
    public void WriteSilence(byte silenceByte)
    {
        ReserveFrame().Fill(silenceByte);
        CommitFrame();
    }

    /// <summary>Settles the previous flush if it has completed.</summary>
    public FlushState PollPendingFlush()
    {
        if (!_flushPending)
        {
            return FlushState.Ready;
        }

        if (!_pendingFlush.IsCompleted)
        {
            return FlushState.InFlight;
        }

        _flushPending = false;
        return Observe(_pendingFlush);
    }

    /// <summary>Starts flushing what was committed; false when the peer is gone.</summary>
    public bool Flush()
    {
        var flush = output.FlushAsync();
        if (flush.IsCompleted)
        {
            return Observe(flush) == FlushState.Ready;
        }

        _pendingFlush = flush;
        _flushPending = true;
        return true;
    }

    /// <summary>Hands over a flush still in flight (to await before the last frame), after which this socket has none.</summary>
    public ValueTask<FlushResult>? TakePendingFlush()
    {
        if (!_flushPending)
        {
            return null;
        }

        _flushPending = false;
        return _pendingFlush;
    }

    private static FlushState Observe(ValueTask<FlushResult> flush)
    {
        try
        {
            var result = flush.GetAwaiter().GetResult();
            return result.IsCompleted || result.IsCanceled ? FlushState.Gone : FlushState.Ready;
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException)
        {
            // The transport is gone; the read loop sees it too.
            return FlushState.Gone;
        }
    }
}
