namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// The caller's audio since the agent last answered, kept so a call restored on another activation hears the turn the
/// lost one never answered (one-way frames sent to a dead silo are gone). Cleared whenever agent audio arrives: what
/// came before it was answered, and replaying it would make the agent answer twice. Bounded: the oldest frames go first.
/// </summary>
/// <remarks>Not thread-safe: <see cref="CallerAudioFeed"/> calls it under its lock. Holds the frames it is given (fresh copies).</remarks>
internal sealed class CallerAudioReplay(int maxBytes)
{
    private readonly Queue<ReadOnlyMemory<byte>> _frames = new();
    private int _bytes;

    /// <summary>Keeps one frame sent to the grain.</summary>
    public void Add(ReadOnlyMemory<byte> frame)
    {
        if (maxBytes <= 0)
        {
            return;
        }

        _frames.Enqueue(frame);
        _bytes += frame.Length;
        while (_bytes > maxBytes && _frames.TryDequeue(out var oldest))
        {
            _bytes -= oldest.Length;
        }
    }

    /// <summary>The agent answered: nothing before now needs replaying.</summary>
    public void Clear()
    {
        _frames.Clear();
        _bytes = 0;
    }

    /// <summary>The frames held, oldest first (they stay held: the restore may fail and be tried again).</summary>
    public ReadOnlyMemory<byte>[] Frames() => [.. _frames];
}
