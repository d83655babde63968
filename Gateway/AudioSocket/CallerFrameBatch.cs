namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// Gathers consecutive caller frames into one grain message (<c>audiosocket.caller_frames_per_message</c>): one
/// one-way call, one array and, on the grain's side, one provider append per batch instead of per 20 ms frame.
/// A frame held for a batch that does not fill in time goes out alone on the pacer's tick (<see cref="TakeIfHeldSince"/>).
/// </summary>
/// <remarks>
/// Each message gets a fresh array rather than a pooled one: the grain holds it after the one-way call returns (and,
/// on another silo, after it is serialised), and nothing tells the gateway when it is done with it. Not thread-safe:
/// <see cref="CallerAudioFeed"/> calls it under its lock.
/// </remarks>
internal sealed class CallerFrameBatch
{
    private readonly int _framesPerMessage;
    private readonly int _capacity;
    private byte[] _buffer = [];
    private int _bytes;
    private int _frames;
    private long _firstHeldAt;

    /// <param name="framesPerMessage">Frames per message; 1 sends every frame at once.</param>
    /// <param name="frameBytes">The bytes of one frame period in the call's format (frames of other sizes are still taken).</param>
    public CallerFrameBatch(int framesPerMessage, int frameBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(framesPerMessage, 1);
        _framesPerMessage = framesPerMessage;
        _capacity = framesPerMessage * frameBytes;
    }

    /// <summary>Frames held for the next message.</summary>
    public int HeldFrames => _frames;

    /// <summary>
    /// Adds a frame. Returns the message it completes (empty while the batch still waits for frames). A frame that does
    /// not fit beside the held ones first sends them as <paramref name="displaced"/>.
    /// </summary>
    public ReadOnlyMemory<byte> Add(ReadOnlySpan<byte> frame, long timestamp, out ReadOnlyMemory<byte> displaced)
    {
        displaced = _frames > 0 && _bytes + frame.Length > _buffer.Length ? Take() : default;
        if (_frames == 0)
        {
            _buffer = new byte[Math.Max(_capacity, frame.Length)];
            _firstHeldAt = timestamp;
        }

        frame.CopyTo(_buffer.AsSpan(_bytes));
        _bytes += frame.Length;
        _frames++;
        return _frames >= _framesPerMessage ? Take() : default;
    }

    /// <summary>The held frames when the oldest arrived at or before <paramref name="timestamp"/>; otherwise empty.</summary>
    public ReadOnlyMemory<byte> TakeIfHeldSince(long timestamp) =>
        _frames > 0 && _firstHeldAt <= timestamp ? Take() : default;

    /// <summary>The held frames as one message (empty when none are held).</summary>
    public ReadOnlyMemory<byte> Take()
    {
        if (_frames == 0)
        {
            return default;
        }

        var message = _buffer.AsMemory(0, _bytes);
        Discard();
        return message;
    }

    /// <summary>Forgets the held frames (the call moved; they are in the failover replay).</summary>
    public void Discard()
    {
        _buffer = [];
        _bytes = 0;
        _frames = 0;
    }
}
