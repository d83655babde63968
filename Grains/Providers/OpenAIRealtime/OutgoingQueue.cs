using System.Buffers;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>What a queued client event carries.</summary>
internal enum OutgoingKind
{
    /// <summary>A serialized client event (never dropped).</summary>
    Json,

    /// <summary>Pooled caller audio that the send loop wraps in an <c>input_audio_buffer.append</c>.</summary>
    Audio,
}

/// <summary>A queued client event: serialized JSON, or pooled caller audio (<paramref name="Epoch"/> 0: any connection).</summary>
internal readonly record struct Outgoing(OutgoingKind Kind, byte[] Buffer, int Length, int Epoch);

/// <summary>
/// The session's send queue, drained in order by the send loop (the socket's only writer). Control events are never
/// dropped. Caller audio is bounded to <c>audioCapacity</c> chunks: when the socket cannot keep up, the oldest queued
/// chunk goes (stale caller audio is worse than none), its buffer back in the pool, and it is counted in
/// <see cref="DroppedAudio"/>. The same bound and outcome as the Deepgram session's queue (see docs/decisions.md).
/// </summary>
internal sealed class OutgoingQueue(int audioCapacity)
{
    /// <summary>Caller-audio chunks (20 ms each from the grain) queued ahead of the network before the oldest is dropped.</summary>
    public const int DefaultAudioCapacity = 512;

    private readonly Lock _lock = new();
    private readonly LinkedList<Outgoing> _items = new();
    private readonly Queue<LinkedListNode<Outgoing>> _audio = new();
    private TaskCompletionSource? _waiter;
    private bool _completed;
    private long _droppedAudio;

    /// <summary>Caller-audio chunks dropped because the queue was full.</summary>
    public long DroppedAudio => Interlocked.Read(ref _droppedAudio);

    /// <summary>Queues a control event; false once the queue is completed.</summary>
    public bool TryWrite(Outgoing message)
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            _items.AddLast(message);
            waiter = TakeWaiter();
        }

        waiter?.TrySetResult();
        return true;
    }

    /// <summary>
    /// Queues a caller-audio chunk; when the audio bound is reached the oldest queued chunk is dropped first
    /// (<paramref name="droppedOldest"/>). False once the queue is completed: the caller keeps its buffer.
    /// </summary>
    public bool TryWriteAudio(Outgoing audio, out bool droppedOldest)
    {
        droppedOldest = false;
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            while (_audio.Count >= audioCapacity)
            {
                var oldest = _audio.Dequeue();
                _items.Remove(oldest);
                ArrayPool<byte>.Shared.Return(oldest.Value.Buffer);
                _droppedAudio++;
                droppedOldest = true;
            }

            _audio.Enqueue(_items.AddLast(audio));
            waiter = TakeWaiter();
        }

        waiter?.TrySetResult();
        return true;
    }

    /// <summary>Takes the next message in order; an audio message's buffer is then the reader's to return.</summary>
    public bool TryRead(out Outgoing message)
    {
        lock (_lock)
        {
            if (_items.First is not { } first)
            {
                message = default;
                return false;
            }

            _items.RemoveFirst();
            if (first.Value.Kind == OutgoingKind.Audio)
            {
                // Audio is indexed in queue order, so the first queued message that is audio heads the index.
                _audio.Dequeue();
            }

            message = first.Value;
            return true;
        }
    }

    /// <summary>Waits until a message is queued (true) or the queue is completed and empty (false).</summary>
    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task wait;
            lock (_lock)
            {
                if (_items.Count > 0)
                {
                    return true;
                }

                if (_completed)
                {
                    return false;
                }

                _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiter.Task;
            }

            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>No more writes; the reader gets what is queued, then <see cref="WaitToReadAsync"/> returns false.</summary>
    public void Complete()
    {
        TaskCompletionSource? waiter;
        lock (_lock)
        {
            _completed = true;
            waiter = TakeWaiter();
        }

        waiter?.TrySetResult();
    }

    private TaskCompletionSource? TakeWaiter()
    {
        var waiter = _waiter;
        _waiter = null;
        return waiter;
    }
}
