namespace AiAgent.Gateway.Playout;

/// <summary>
/// Decides when a call's line needs a silence frame: when neither side has sent a frame for the keepalive
/// interval (Asterisk's AudioSocket app drops a call after 2 s without a frame in either direction,
/// docs/protocols/asterisk.md). Times are timestamps of the <see cref="TimeProvider"/> it was created with.
/// </summary>
/// <remarks>Inbound frames are noted from the connection's read loop, outbound ones from the pacer thread.</remarks>
internal sealed class LineKeepalive
{
    private readonly long _intervalTicks;
    private long _lastOutbound;
    private long _lastInbound;

    /// <param name="time">The clock whose timestamps the other members take.</param>
    /// <param name="interval">The keepalive interval; zero or less disables keepalive.</param>
    public LineKeepalive(TimeProvider time, TimeSpan interval)
    {
        _intervalTicks = interval <= TimeSpan.Zero ? 0 : (long)(interval.TotalSeconds * time.TimestampFrequency);
        var now = time.GetTimestamp();
        _lastOutbound = now;
        _lastInbound = now;
    }

    /// <summary>Asterisk sent a frame at <paramref name="now"/>.</summary>
    public void OnInbound(long now) => Volatile.Write(ref _lastInbound, now);

    /// <summary>We sent a frame at <paramref name="now"/>.</summary>
    public void OnOutbound(long now) => _lastOutbound = now;

    /// <summary>True when a silence frame is due at <paramref name="now"/> (nothing else is going out).</summary>
    public bool IsDue(long now) =>
        _intervalTicks > 0 && now - Math.Max(_lastOutbound, Volatile.Read(ref _lastInbound)) >= _intervalTicks;
}
