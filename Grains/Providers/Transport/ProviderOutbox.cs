namespace AiAgent.Grains.Providers.Transport;

/// <summary>
/// The one bounded send queue of a transport (<see cref="Capacity"/> items), shared by its successive connections so
/// nothing queued is lost across a reconnect or rollover. Overflow: the oldest queued caller audio gives way to the
/// newest and is counted; control messages are never dropped (one met at the head while making room moves ahead
/// of the queue instead). See docs/decisions.md, "Provider transport".
/// </summary>
/// <remarks>Writers are the session (any thread); the reader is the send loop of the connection carrying the call.
/// Control items taken off the head while making room stay ahead of everything still queued, so order is kept.</remarks>
internal sealed class ProviderOutbox
{
    /// <summary>Items the queue holds before overflow applies.</summary>
    public const int Capacity = 512;

    private readonly Channel<OutboundItem> _channel = Channel.CreateBounded<OutboundItem>(
        new BoundedChannelOptions(Capacity) { SingleReader = false, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });

    private readonly Queue<OutboundItem> _head = new();
    private readonly Lock _gate = new();
    private readonly Action<int>? _audioDropped;
    private long _droppedAudioBytes;
    private volatile bool _completed;

    /// <summary>Creates a queue; <paramref name="audioDropped"/> hears the size of every overflow drop.</summary>
    public ProviderOutbox(Action<int>? audioDropped = null) => _audioDropped = audioDropped;

    /// <summary>Caller audio bytes dropped by overflow so far.</summary>
    public long DroppedAudioBytes => Interlocked.Read(ref _droppedAudioBytes);

    /// <summary>True once <see cref="Complete"/> was called.</summary>
    public bool IsCompleted => _completed;

    /// <summary>Queues a copy of <paramref name="audio"/>; never waits. False when the queue is completed.</summary>
    public bool EnqueueAudio(ReadOnlySpan<byte> audio)
    {
        if (IsCompleted || audio.IsEmpty)
        {
            return false;
        }

        var item = OutboundItem.ForAudio(audio);
        lock (_gate)
        {
            while (!_channel.Writer.TryWrite(item))
            {
                if (IsCompleted)
                {
                    item.Release();
                    return false;
                }

                if (!DropOldestAudio())
                {
                    // Completed meanwhile.
                    item.Release();
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Queues a control item or keep-alive; never waits, never dropped. False when the queue is completed.</summary>
    public bool EnqueueControl(OutboundItem item)
    {
        lock (_gate)
        {
            while (!_channel.Writer.TryWrite(item))
            {
                if (IsCompleted || !DropOldestAudio())
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Wakes the send loop; a full queue wakes it anyway.</summary>
    public void Wake() => _channel.Writer.TryWrite(OutboundItem.Wake);

    /// <summary>The next item, in order.</summary>
    public bool TryDequeue(out OutboundItem item)
    {
        lock (_gate)
        {
            return _head.TryDequeue(out item) || _channel.Reader.TryRead(out item);
        }
    }

    /// <summary>Waits until an item is queued; false when the queue is completed and empty.</summary>
    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_head.Count > 0)
            {
                return true;
            }
        }

        if (await _channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return true;
        }

        lock (_gate)
        {
            return _head.Count > 0;
        }
    }

    /// <summary>No more items: the send loop closes its socket once the queue is drained.</summary>
    public void Complete()
    {
        _completed = true;
        _channel.Writer.TryComplete();
    }

    /// <summary>Releases everything still queued.</summary>
    public void Drain()
    {
        while (TryDequeue(out var item))
        {
            item.Release();
        }
    }

    /// <summary>
    /// Under the gate: makes one slot of room. The oldest item leaves the channel: audio is dropped, a wake-up is
    /// redundant, a control item moves to the head (still sent first, never dropped). False when nothing is queued.
    /// </summary>
    private bool DropOldestAudio()
    {
        if (!_channel.Reader.TryRead(out var oldest))
        {
            return false;
        }

        switch (oldest.Kind)
        {
            case OutboundKind.Audio:
                Dropped(oldest.Length);
                oldest.Release();
                break;
            case OutboundKind.Wake:
                break;
            default:
                _head.Enqueue(oldest);
                break;
        }

        return true;
    }

    private void Dropped(int bytes)
    {
        Interlocked.Add(ref _droppedAudioBytes, bytes);
        _audioDropped?.Invoke(bytes);
    }
}
