namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// The caller's audio since the agent last answered, kept so a call restored on another activation hears the turn the
/// lost one never answered (one-way frames sent to a dead silo are gone). Cleared whenever agent audio arrives: what
/// came before it was answered, and replaying it would make the agent answer twice. Bounded: the oldest frames go first.
/// </summary>
/// <remarks>
/// The frames are copied into one ring of bytes per call, allocated once, rather than held as the arrays sent to the
/// grain: up to 5 s of 20 ms arrays per call outlived the youngest GC generation, and at 500 calls their promotion
/// made every collection pause the pacer for tens of milliseconds (docs/performance.md, "Capacity"). Not thread-safe:
/// <see cref="CallerAudioFeed"/> calls it under its lock.
/// </remarks>
internal sealed class CallerAudioReplay(int maxBytes)
{
    private readonly Queue<int> _lengths = new();
    private byte[] _ring = [];
    private int _start;
    private int _count;

    /// <summary>Bytes held.</summary>
    public int Bytes => _count;

    /// <summary>Keeps a copy of one frame sent to the grain, dropping the oldest frames it needs room for.</summary>
    public void Add(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > maxBytes)
        {
            // Nothing older can stay beside it, and it does not fit itself.
            Clear();
            return;
        }

        if (_ring.Length == 0)
        {
            _ring = new byte[maxBytes];
        }

        while (_count + frame.Length > _ring.Length)
        {
            var oldest = _lengths.Dequeue();
            _start = (_start + oldest) % _ring.Length;
            _count -= oldest;
        }

        var end = (_start + _count) % _ring.Length;
        var first = Math.Min(frame.Length, _ring.Length - end);
        frame[..first].CopyTo(_ring.AsSpan(end));
        frame[first..].CopyTo(_ring);
        _lengths.Enqueue(frame.Length);
        _count += frame.Length;
    }

    /// <summary>The agent answered: nothing before now needs replaying.</summary>
    public void Clear()
    {
        _lengths.Clear();
        _start = 0;
        _count = 0;
    }

    /// <summary>Copies of the frames held, oldest first (they stay held: the restore may fail and be tried again).</summary>
    public ReadOnlyMemory<byte>[] Frames()
    {
        var frames = new ReadOnlyMemory<byte>[_lengths.Count];
        var at = _start;
        var i = 0;
        foreach (var length in _lengths)
        {
            var copy = new byte[length];
            var first = Math.Min(length, _ring.Length - at);
            _ring.AsSpan(at, first).CopyTo(copy);
            _ring.AsSpan(0, length - first).CopyTo(copy.AsSpan(first));
            frames[i++] = copy;
            at = (at + length) % _ring.Length;
        }

        return frames;
    }
}
