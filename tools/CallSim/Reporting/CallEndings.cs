namespace AiAgent.CallSim.Reporting;

/// <summary>
/// How a run's calls ended, grouped by who ended them (a provider-fault run compares these with the faults injected):
/// the caller at the end of its script, the platform before it, or the socket.
/// </summary>
public sealed record CallEndings
{
    /// <summary>A reply gap above this, in ms, is one a caller notices as a hole (a reconnect's cost, a stall).</summary>
    public const double LongReplyGapMs = 100;

    /// <summary>Calls we hung up at the end of the script (<see cref="CallOutcome.CallerHangup"/>).</summary>
    public int CompletedByCaller { get; init; }

    /// <summary>
    /// Calls the platform ended before our script did: a hangup frame (<see cref="CallOutcome.ServerHangupFrame"/>) or
    /// a close (<see cref="CallOutcome.ServerClosed"/>). Graceful for Asterisk; a platform's clean hang-up.
    /// </summary>
    public int HungUpByPlatform { get; init; }

    /// <summary>Calls that failed at the socket level: <see cref="CallOutcome.ProtocolViolation"/>, <see cref="CallOutcome.ConnectFailed"/>, <see cref="CallOutcome.SocketError"/>.</summary>
    public int FailedAtSocket { get; init; }

    /// <summary>Calls that never started (the run was cancelled first).</summary>
    public int NotStarted { get; init; }

    /// <summary>Calls whose largest gap inside a reply (<see cref="CallSummary.ReplyGaps"/> max) is over <see cref="LongReplyGapMs"/>.</summary>
    public int CallsWithReplyGapOver100Ms { get; init; }

    /// <summary>The endings of <paramref name="calls"/>.</summary>
    public static CallEndings From(IReadOnlyCollection<CallSummary> calls) => new()
    {
        CompletedByCaller = calls.Count(static c => c.Outcome == CallOutcome.CallerHangup),
        HungUpByPlatform = calls.Count(static c => c.Outcome is CallOutcome.ServerHangupFrame or CallOutcome.ServerClosed),
        FailedAtSocket = calls.Count(static c => c.Outcome is CallOutcome.ProtocolViolation or CallOutcome.ConnectFailed or CallOutcome.SocketError),
        NotStarted = calls.Count(static c => c.Outcome == CallOutcome.NotStarted),
        CallsWithReplyGapOver100Ms = calls.Count(static c => c.ReplyGaps.MaxMs > LongReplyGapMs),
    };
}
