namespace AiAgent.Grains.Providers.Transport;

/// <summary>
/// One connection's idle clock and keep-alive ticker: the ticker only queues a keep-alive (the send loop stays the
/// socket's only writer), and only once the socket has been idle for the protocol's interval.
/// </summary>
internal sealed class KeepAliveTicker(TimeProvider time, TimeSpan interval)
{
    private long _lastActivity;
    private volatile bool _queued;

    /// <summary>Something went out on the socket.</summary>
    public void MarkActivity() => Volatile.Write(ref _lastActivity, time.GetTimestamp());

    /// <summary>True when nothing went out for the interval (or ever).</summary>
    public bool IsIdle
    {
        get
        {
            var last = Volatile.Read(ref _lastActivity);
            return last == 0 || time.GetElapsedTime(last) >= interval;
        }
    }

    /// <summary>The send loop took the queued keep-alive (sent or not): the ticker may queue the next.</summary>
    public void Taken() => _queued = false;

    /// <summary>Ticks a quarter interval (at least 100 ms) until cancelled; queues through <paramref name="enqueue"/> while <paramref name="ready"/>.</summary>
    public async Task RunAsync(Func<bool> ready, Func<bool> enqueue, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 100, interval.Ticks / 4)), time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (ready() && !_queued && IsIdle)
                {
                    _queued = enqueue();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
