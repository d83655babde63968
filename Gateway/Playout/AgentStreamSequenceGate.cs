namespace AiAgent.Gateway.Playout;

/// <summary>How an agent output event's epoch and sequence number relate to the ones before it.</summary>
internal enum SequenceVerdict
{
    /// <summary>The first event, the one after the last, or the first of a newer epoch: play it.</summary>
    InOrder,

    /// <summary>Events were skipped: play it (what is missing cannot come back in order), and count the gap.</summary>
    Gap,

    /// <summary>A number already seen or passed: a duplicate or a late event. Playing it would put audio out of order.</summary>
    Duplicate,

    /// <summary>From an activation older than the one the gateway follows: it has been replaced and is refused.</summary>
    Stale,
}

/// <summary>
/// Keeps one call's agent output in order across activations. Each activation numbers its events from 1 within its
/// epoch; a higher epoch is a newer activation (a failover) and starts the numbering again; a lower one has been
/// replaced. Pure and not thread-safe: the caller serialises admissions.
/// </summary>
internal sealed class AgentStreamSequenceGate
{
    private int _epoch;
    private long _last = long.MinValue;

    /// <summary>The epoch followed now (0 before any).</summary>
    public int Epoch => _epoch;

    /// <summary>The number the next event should carry (meaningful once an event has been admitted).</summary>
    public long Expected => _last + 1;

    /// <summary>Follows <paramref name="epoch"/> from now on (an attach to it succeeded), refusing older ones.</summary>
    public void Follow(int epoch)
    {
        if (epoch > _epoch)
        {
            _epoch = epoch;
            _last = long.MinValue;
        }
    }

    /// <summary>Judges an event; <see cref="SequenceVerdict.InOrder"/> and <see cref="SequenceVerdict.Gap"/> admit it.</summary>
    public SequenceVerdict Admit(int epoch, long sequence)
    {
        if (epoch < _epoch)
        {
            return SequenceVerdict.Stale;
        }

        Follow(epoch);
        var last = _last;
        if (last == long.MinValue || sequence == last + 1)
        {
            _last = sequence;
            return SequenceVerdict.InOrder;
        }

        if (sequence <= last)
        {
            return SequenceVerdict.Duplicate;
        }

        _last = sequence;
        return SequenceVerdict.Gap;
    }
}
