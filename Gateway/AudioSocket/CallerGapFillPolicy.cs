namespace AiAgent.Gateway.AudioSocket;

/// <summary>What one pacer tick should do about a caller media gap.</summary>
/// <param name="Frames">Silence frames to send now (0 while frames flow, the fill is off or the call is ending).</param>
/// <param name="GapStarted">This is the first fill of a new gap (count it once).</param>
internal readonly record struct GapFillDecision(int Frames, bool GapStarted);

/// <summary>
/// When to supply silence for a caller whose media stops (silence suppression, DTX, a Local channel in
/// <c>Wait()</c>: docs/protocols/asterisk.md, "What Asterisk sends"). It tracks how far the caller's audio reaches
/// on the clock: each real frame extends it by its own duration, from its arrival or from where the audio
/// already reached, whichever is later (a burst of frames stacks up). Once that end lies more than the
/// threshold in the past, the gap from it through the current frame period is filled with whole frames, and from
/// then on one frame per period keeps the grain's audio level with the clock; the first real frame stops it. Pure: times are
/// timestamps of one clock, supplied by the caller; not thread-safe (<see cref="CallerAudioFeed"/> locks).
/// </summary>
/// <remarks>
/// Measured from the audio's end, not the last arrival, so a caller with 60 ms packets and a 40 ms threshold is
/// never filled while its frames flow. Asterisk's normal inter-arrival p99 is 20.2 ms; a threshold of two
/// frames leaves ~40 ms for jitter. After a stall (the pacer late by more than a few periods) at most
/// <see cref="MaxBurst"/> frames go at once and the rest of the stall is skipped, as the pacer does.
/// </remarks>
internal sealed class CallerGapFillPolicy
{
    private readonly long _threshold;
    private readonly long _period;
    private long _audioEnd;
    private bool _filling;

    /// <param name="start">When the call started: a caller that never sends is filled from here.</param>
    /// <param name="threshold">How late the caller's next frame may be before silence is supplied; zero or less turns the fill off.</param>
    /// <param name="period">The duration of one fill frame (the call's frame period), in the same timestamp units.</param>
    public CallerGapFillPolicy(long start, long threshold, long period)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(period);
        _threshold = threshold;
        _period = period;
        _audioEnd = start;
        MaxBurst = (int)Math.Max(threshold / period, 0) + 3;
    }

    /// <summary>True when the fill is on.</summary>
    public bool Enabled => _threshold > 0;

    /// <summary>The most frames one tick supplies.</summary>
    public int MaxBurst { get; }

    /// <summary>True while a gap is being filled.</summary>
    public bool IsFilling => _filling;

    /// <summary>A real caller frame of <paramref name="duration"/> arrived at <paramref name="now"/>; returns true when it ends a filled gap.</summary>
    public bool OnCallerFrame(long now, long duration)
    {
        _audioEnd = Math.Max(_audioEnd, now) + duration;
        var ended = _filling;
        _filling = false;
        return ended;
    }

    /// <summary>Decides the tick at <paramref name="now"/>; <paramref name="ending"/> = the call is ending (never fill then).</summary>
    public GapFillDecision OnTick(long now, bool ending)
    {
        if (!Enabled || ending)
        {
            return default;
        }

        var missing = now - _audioEnd;
        if (!_filling && missing <= _threshold)
        {
            return default;
        }

        // Fill through the frame a phone would deliver now: a real frame arriving now reaches now + period too,
        // so the grain's audio keeps the same time as with a caller that sends silence frames.
        var frames = (missing + _period) / _period;
        if (frames <= 0)
        {
            return default;
        }

        if (frames > MaxBurst)
        {
            // A stall: send a burst's worth and drop the rest rather than flood the grain.
            _audioEnd = now + _period - (MaxBurst * _period);
            frames = MaxBurst;
        }

        _audioEnd += frames * _period;
        var started = !_filling;
        _filling = true;
        return new GapFillDecision((int)frames, started);
    }
}
