namespace AiAgent.CallSim.Simulation;

/// <summary>
/// A caller that talks in cycles (<c>--cycles</c>, <c>--duration</c>): speaks the WAV, stays silent until the agent's
/// reply has finished (or <see cref="ReplyTimeout"/> passes without one), pauses, and speaks again. Each turn is
/// measured (<see cref="Reporting.ConversationSummary"/>); a call that ends early or goes unanswered is dropped.
/// </summary>
public sealed record ConversationSettings
{
    /// <summary>Turns to speak; null for no limit (then <see cref="Duration"/> or <see cref="Stop"/> ends the call).</summary>
    public int? Cycles { get; init; }

    /// <summary>No turn starts once this much time has passed since the call began streaming; null for no limit.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// Cancelled to end the conversation gracefully: no new turn starts, the call hangs up after the current reply.
    /// A harness uses it to end calls at a moment it chooses without cutting a turn (cancelling the run hangs up at once).
    /// </summary>
    public CancellationToken Stop { get; init; }

    /// <summary>A turn with no agent speech this long after its end is unanswered: the call counts as dropped.</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The agent's reply has finished once no agent speech has arrived for this long.</summary>
    public TimeSpan ReplyQuiet { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Silence between the end of a reply and the caller's next turn.</summary>
    public TimeSpan Pause { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>
    /// Before the first turn, how long to wait for a greeting that has not started; one that has is heard out
    /// (<see cref="ReplyQuiet"/>). The call's leading silence is the least wait.
    /// </summary>
    public TimeSpan GreetingWait { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The longest the caller listens after a turn (or to a greeting) before speaking again, even if the agent is still talking.</summary>
    public TimeSpan MaxListen { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (Cycles is null && Duration is null && !Stop.CanBeCanceled)
        {
            throw new ArgumentException("a conversation needs cycles, a duration or a stop token, or it never ends", nameof(Cycles));
        }

        if (Cycles is < 1)
        {
            throw new ArgumentException($"cycles {Cycles} must be at least 1", nameof(Cycles));
        }

        if (Duration is { } duration && duration <= TimeSpan.Zero)
        {
            throw new ArgumentException("duration must be > 0", nameof(Duration));
        }

        if (ReplyTimeout <= TimeSpan.Zero || ReplyQuiet <= TimeSpan.Zero || Pause < TimeSpan.Zero || GreetingWait < TimeSpan.Zero)
        {
            throw new ArgumentException("reply timeout and reply quiet must be > 0, pause and greeting wait >= 0", nameof(ReplyTimeout));
        }

        if (MaxListen < ReplyTimeout)
        {
            throw new ArgumentException("max listen must be at least the reply timeout", nameof(MaxListen));
        }
    }
}
