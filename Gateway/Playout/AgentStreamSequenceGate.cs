namespace AiAgent.Gateway.Playout;

/// <summary>How an agent stream event's sequence number relates to the ones before it.</summary>
internal enum SequenceVerdict
{
    /// <summary>The first event, or the one after the last: play it.</summary>
    InOrder,

    /// <summary>Events were skipped: play it (what is missing cannot come back in order), and count the gap.</summary>
    Gap,

    /// <summary>A number already seen or passed: a duplicate or a late event. Playing it would put audio out of order.</summary>
    Duplicate,
}

/// <summary>
/// Keeps one call's agent stream in order: the grain numbers its events from 0, and Orleans streams may
/// redeliver or reorder them. Pure and not thread-safe: Orleans delivers a subscription's events one at a time.
/// </summary>
internal sealed class AgentStreamSequenceGate
{
    private long _last = long.MinValue;

    /// <summary>The number the next event should carry (meaningful once an event has been admitted).</summary>
    public long Expected => _last + 1;

    /// <summary>Judges <paramref name="sequence"/>; every verdict but <see cref="SequenceVerdict.Duplicate"/> admits it.</summary>
    public SequenceVerdict Admit(long sequence)
    {
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
