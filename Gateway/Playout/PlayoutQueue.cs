namespace AiAgent.Gateway.Playout;

/// <summary>What cutting one frame did to the utterance it belongs to.</summary>
/// <param name="UtteranceId">The utterance the frame belongs to.</param>
/// <param name="Started">It is the utterance's first frame.</param>
/// <param name="Completed">It is the utterance's last frame (the provider had sent all of it).</param>
/// <param name="PlayedBytes">Bytes of this utterance's audio cut so far, this frame included (padding excluded).</param>
/// <param name="ProviderReceivedAtUtc">When the grain received the provider chunk the frame starts in.</param>
internal readonly record struct CutFrame(int UtteranceId, bool Started, bool Completed, long PlayedBytes, DateTime ProviderReceivedAtUtc);

/// <summary>
/// One call's queue of agent audio, cut into exact frames. Holds the chunks as received (no copy); a frame may
/// span chunks; the tail of a finished utterance is padded with silence to a whole frame. Bounded: past the
/// limit the oldest audio is dropped. Not thread-safe: the owning call serialises access.
/// </summary>
internal sealed class PlayoutQueue(int frameBytes, long maxBytes, byte silenceByte)
{
    private readonly Queue<Chunk> _chunks = new();
    private readonly HashSet<int> _doneUtterances = [];
    private int _headOffset;
    private long _queuedBytes;

    // The utterance whose frames are being cut, and how much of it was cut.
    private int _currentUtterance = int.MinValue;
    private long _currentPlayedBytes;
    private bool _currentCompleted = true;

    /// <summary>Bytes in one frame.</summary>
    public int FrameBytes { get; } = frameBytes;

    /// <summary>Bytes of agent audio waiting.</summary>
    public long QueuedBytes => _queuedBytes;

    /// <summary>True when there is nothing to play.</summary>
    public bool IsEmpty => _queuedBytes == 0;

    /// <summary>
    /// True when an utterance has begun playing and the provider has not finished it, so an empty queue
    /// is an underrun rather than the end of speech.
    /// </summary>
    public bool IsMidUtterance => !_currentCompleted && !_doneUtterances.Contains(_currentUtterance);

    /// <summary>Bytes of <paramref name="utteranceId"/> cut so far, when it is the utterance being played (else 0).</summary>
    public long PlayedBytesOf(int utteranceId) => utteranceId == _currentUtterance ? _currentPlayedBytes : 0;

    /// <summary>Adds a chunk; returns how many frames of the oldest audio were dropped to stay within the bound.</summary>
    public long Enqueue(int utteranceId, ReadOnlyMemory<byte> audio, DateTime providerReceivedAtUtc)
    {
        if (audio.IsEmpty)
        {
            return 0;
        }

        _chunks.Enqueue(new Chunk(utteranceId, audio, providerReceivedAtUtc));
        _queuedBytes += audio.Length;
        return _queuedBytes > maxBytes ? DropOldest(_queuedBytes - maxBytes) : 0;
    }

    /// <summary>
    /// The provider has sent all of <paramref name="utteranceId"/>. Returns true when its playout has thereby
    /// completed (its last frame was already cut), so the caller reports it now.
    /// </summary>
    public bool MarkDone(int utteranceId)
    {
        if (utteranceId == _currentUtterance)
        {
            if (_currentCompleted)
            {
                return false;
            }

            if (!HasAudioOf(utteranceId))
            {
                _currentCompleted = true;
                return true;
            }
        }

        _doneUtterances.Add(utteranceId);
        return false;
    }

    /// <summary>Treats every queued utterance as complete, so a trailing partial frame is padded and played (draining at call end).</summary>
    public void FinishAll()
    {
        foreach (var chunk in _chunks)
        {
            _doneUtterances.Add(chunk.UtteranceId);
        }
    }

    /// <summary>Drops everything queued (barge-in); returns the bytes of <paramref name="utteranceId"/> already cut.</summary>
    public long Flush(int utteranceId)
    {
        var played = PlayedBytesOf(utteranceId);
        _chunks.Clear();
        _doneUtterances.Clear();
        _headOffset = 0;
        _queuedBytes = 0;
        _currentCompleted = true;
        return played;
    }

    /// <summary>
    /// Cuts the next frame into <paramref name="destination"/> (exactly <see cref="FrameBytes"/> long). Returns
    /// false when there is not a whole frame yet and the utterance is still arriving.
    /// </summary>
    public bool TryCut(Span<byte> destination, out CutFrame cut)
    {
        cut = default;
        if (_chunks.Count == 0)
        {
            return false;
        }

        var head = _chunks.Peek();
        var utterance = head.UtteranceId;
        var available = AvailableOf(utterance, FrameBytes, out var followedByOther);
        if (available < FrameBytes && !followedByOther && !_doneUtterances.Contains(utterance))
        {
            return false;
        }

        var started = utterance != _currentUtterance;
        if (started)
        {
            _currentUtterance = utterance;
            _currentPlayedBytes = 0;
            _currentCompleted = false;
        }

        var filled = 0;
        while (filled < available)
        {
            var chunk = _chunks.Peek();
            var take = Math.Min(chunk.Audio.Length - _headOffset, available - filled);
            chunk.Audio.Span.Slice(_headOffset, take).CopyTo(destination[filled..]);
            filled += take;
            _headOffset += take;
            if (_headOffset == chunk.Audio.Length)
            {
                _chunks.Dequeue();
                _headOffset = 0;
            }
        }

        destination[filled..FrameBytes].Fill(silenceByte);
        _queuedBytes -= filled;
        _currentPlayedBytes += filled;

        var completed = !HasAudioOf(utterance) && _doneUtterances.Remove(utterance);
        if (completed)
        {
            _currentCompleted = true;
        }

        cut = new CutFrame(utterance, started, completed, _currentPlayedBytes, head.ProviderReceivedAtUtc);
        return true;
    }

    private int AvailableOf(int utterance, int limit, out bool followedByOther)
    {
        var available = 0;
        var first = true;
        followedByOther = false;
        foreach (var chunk in _chunks)
        {
            if (chunk.UtteranceId != utterance)
            {
                followedByOther = true;
                break;
            }

            available += chunk.Audio.Length - (first ? _headOffset : 0);
            first = false;
            if (available >= limit)
            {
                return limit;
            }
        }

        return available;
    }

    private bool HasAudioOf(int utterance) => _chunks.Count > 0 && _chunks.Peek().UtteranceId == utterance;

    private long DropOldest(long excess)
    {
        var dropped = 0L;
        while (excess > 0 && _chunks.Count > 0)
        {
            var chunk = _chunks.Peek();
            var remaining = chunk.Audio.Length - _headOffset;
            if (remaining <= excess)
            {
                _chunks.Dequeue();
                _headOffset = 0;
                dropped += remaining;
                excess -= remaining;
            }
            else
            {
                // Drop whole frames so the frames after it stay aligned.
                var cut = (int)Math.Min(remaining, (excess + FrameBytes - 1) / FrameBytes * FrameBytes);
                _headOffset += cut;
                dropped += cut;
                excess = 0;
            }
        }

        _queuedBytes -= dropped;
        return (dropped + FrameBytes - 1) / FrameBytes;
    }

    private readonly record struct Chunk(int UtteranceId, ReadOnlyMemory<byte> Audio, DateTime ProviderReceivedAtUtc);
}
