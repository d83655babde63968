using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Puts one-way caller frames back in order. One-way grain calls report nothing and are not dispatched in send
/// order when they queue up: measured here (Orleans 10.4.2), a burst of frames queued at a busy activation ran
/// newest-first. Each frame carries a sequence number starting at 0. A frame that arrives early is held until
/// the frames before it come; once the oldest held frame has waited <c>maxHold</c> (a reversed burst drains in
/// microseconds, a truly lost frame never comes) or more than <c>maxHeld</c> frames are held, the gap is declared
/// lost and delivery moves on. Frames older than the delivery point are dropped: as duplicates if they were
/// delivered, otherwise as too late (audio behind newer audio would be worse than the gap).
/// </summary>
public sealed class CallerFrameSequencer(TimeSpan maxHold, int maxHeld = 256)
{
    private readonly SortedList<long, CallerAudio> _held = [];
    private TimeSpan _oldestHeldSince;
    private long _next;
    private ulong _delivered; // bit i set = sequence (_next - 1 - i) was delivered

    /// <summary>Creates a sequencer that holds early frames up to 100 ms.</summary>
    public CallerFrameSequencer()
        : this(TimeSpan.FromMilliseconds(100))
    {
    }

    /// <summary>Frames delivered, in order.</summary>
    public long Delivered { get; private set; }

    /// <summary>Frames skipped because they never came in time.</summary>
    public long Lost { get; private set; }

    /// <summary>Frames that arrived out of order (held and delivered late, or dropped as too late).</summary>
    public long OutOfOrder { get; private set; }

    /// <summary>Frames that arrived twice.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Frames waiting for an earlier one.</summary>
    public int Held => _held.Count;

    /// <summary>
    /// Takes one frame at monotonic time <paramref name="now"/>; appends the frames now deliverable, in order,
    /// to <paramref name="ready"/>.
    /// </summary>
    public void Push(CallerAudio frame, TimeSpan now, List<CallerAudio> ready)
    {
        var sequence = frame.Sequence;
        if (sequence < _next)
        {
            var age = _next - 1 - sequence;
            if (age < 64 && (_delivered & (1UL << (int)age)) != 0)
            {
                Duplicates++;
            }
            else
            {
                OutOfOrder++;
            }
        }
        else if (sequence > _next)
        {
            if (!_held.TryAdd(sequence, frame))
            {
                Duplicates++;
            }
            else
            {
                OutOfOrder++;
                if (_held.Count == 1)
                {
                    _oldestHeldSince = now;
                }
            }
        }
        else
        {
            Deliver(frame, ready);
        }

        if (_held.Count > 0 && (_held.Count > maxHeld || now - _oldestHeldSince >= maxHold))
        {
            // Waited long enough: the missing frames are lost; deliver from the oldest held one.
            Skip(_held.Keys[0] - _next);
        }

        while (_held.Count > 0 && _held.Keys[0] == _next)
        {
            var next = _held.Values[0];
            _held.RemoveAt(0);
            Deliver(next, ready);
        }

        if (_held.Count > 0 && ready.Count > 0)
        {
            _oldestHeldSince = now; // a gap remains behind newer frames: time it afresh
        }
    }

    /// <summary>
    /// A new sender numbers from 0 again (another gateway connection took the call): frames held from the old one are
    /// dropped, the counters kept.
    /// </summary>
    public void Restart()
    {
        _held.Clear();
        _next = 0;
        _delivered = 0;
    }

    private void Deliver(CallerAudio frame, List<CallerAudio> ready)
    {
        ready.Add(frame);
        _delivered = (_delivered << 1) | 1;
        _next = frame.Sequence + 1;
        Delivered++;
    }

    private void Skip(long count)
    {
        Lost += count;
        _delivered = count >= 64 ? 0 : _delivered << (int)count;
        _next += count;
    }
}
