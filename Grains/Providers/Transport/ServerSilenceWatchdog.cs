namespace AiAgent.Grains.Providers.Transport;

/// <summary>
/// Notices a server that stopped talking while an answer was due: a socket that stays open but sends nothing (a
/// stalled server or a half-dead path) otherwise leaves the caller in silence until the WebSocket keep-alive gives up,
/// 15–30 s later. The silence counts from the later of the last server message and the moment the answer became due,
/// so a quiet conversation is never a stall.
/// </summary>
internal sealed class ServerSilenceWatchdog(TimeProvider time, TimeSpan limit)
{
    private long _lastReceived;

    /// <summary>The limit; <see cref="TimeSpan.Zero"/> is off.</summary>
    public TimeSpan Limit => limit;

    /// <summary>A server message arrived.</summary>
    public void MarkReceived() => Volatile.Write(ref _lastReceived, time.GetTimestamp());

    /// <summary>
    /// Ticks a quarter of the limit (at least 100 ms) until cancelled; calls <paramref name="onSilent"/> once and returns
    /// when <paramref name="answerDue"/> held for the whole limit with no server message.
    /// </summary>
    public async Task RunAsync(Func<bool> answerDue, Action onSilent, CancellationToken cancellationToken)
    {
        if (limit <= TimeSpan.Zero)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 100, limit.Ticks / 4)), time);
        var dueSince = 0L;
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!answerDue())
                {
                    dueSince = 0;
                    continue;
                }

                var now = time.GetTimestamp();
                if (dueSince == 0)
                {
                    dueSince = now;
                }

                var silentSince = Math.Max(dueSince, Volatile.Read(ref _lastReceived));
                if (time.GetElapsedTime(silentSince, now) >= limit)
                {
                    onSilent();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
