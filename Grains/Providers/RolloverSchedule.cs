namespace AiAgent.Grains.Providers;

/// <summary>
/// When a provider session is moved to a fresh, re-seeded one before the server's session limit (OpenAI's
/// <c>expires_at</c>, Deepgram's 2-hour cap): from <see cref="PlannedAfter"/> at the first quiet moment, at the
/// latest at <see cref="ForcedAfter"/>, both counted from the schedule's start.
/// </summary>
internal readonly record struct RolloverSchedule(TimeSpan PlannedAfter, TimeSpan ForcedAfter)
{
    private static readonly TimeSpan s_forceSlack = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_quietPoll = TimeSpan.FromMilliseconds(200);

    /// <summary>The schedule for a session with <paramref name="lifetime"/> left, rolled over <paramref name="margin"/> early.</summary>
    public static RolloverSchedule For(TimeSpan lifetime, TimeSpan margin)
    {
        // Never before half the remaining life: a margin as long as the session must not roll over in a loop.
        var planned = TimeSpan.FromTicks(Math.Max(lifetime.Ticks - margin.Ticks, lifetime.Ticks / 2));
        return new(planned, lifetime - TimeSpan.FromTicks(Math.Min(s_forceSlack.Ticks, (lifetime - planned).Ticks / 4)));
    }

    /// <summary>
    /// Waits until <see cref="PlannedAfter"/> past <paramref name="startTimestamp"/>, then until
    /// <paramref name="isQuiet"/> holds or <see cref="ForcedAfter"/> has passed; true when the moment is quiet.
    /// </summary>
    public async Task<bool> WaitAsync(TimeProvider time, long startTimestamp, Func<bool> isQuiet, CancellationToken cancellationToken)
    {
        var age = time.GetElapsedTime(startTimestamp);
        if (PlannedAfter > age)
        {
            await Task.Delay(PlannedAfter - age, time, cancellationToken).ConfigureAwait(false);
        }

        while (!isQuiet() && time.GetElapsedTime(startTimestamp) < ForcedAfter)
        {
            await Task.Delay(s_quietPoll, time, cancellationToken).ConfigureAwait(false);
        }

        return isQuiet();
    }
}
