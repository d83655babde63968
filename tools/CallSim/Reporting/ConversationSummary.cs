namespace AiAgent.CallSim.Reporting;

/// <summary>
/// What a caller talking in cycles heard (<c>--cycles</c> / <c>--duration</c>). Times are milliseconds from the
/// moment the TCP connect completed, like the rest of <see cref="CallSummary"/>.
/// </summary>
public sealed record ConversationSummary
{
    /// <summary>A received-frame gap longer than this during the agent's reply is a stutter the caller hears.</summary>
    public const double PlayoutGapLimitMs = 60;

    /// <summary>Every turn the caller began, in order.</summary>
    public IReadOnlyList<CycleSummary> Cycles { get; init; } = [];

    /// <summary>Turns answered: agent speech arrived after the turn ended, before the caller gave up or spoke again.</summary>
    public int Answered { get; init; }

    /// <summary>Turns that ended with no answer (given up after the reply timeout, or the call ended first).</summary>
    public int Unanswered { get; init; }

    /// <summary>End of a turn to the first agent speech after it, over the answered turns.</summary>
    public required TimingStats ReplyLatency { get; init; }

    /// <summary>
    /// Every stretch the caller waited for an answer: from the end of a turn to the first agent speech after it. A
    /// turn left unanswered keeps the wait open across the next turns until the agent speaks (or the call ends).
    /// </summary>
    public IReadOnlyList<AnswerWait> Waits { get; init; } = [];

    /// <summary>The longest of <see cref="Waits"/>: the longest time without agent speech while an answer was owed.</summary>
    public double? LongestWaitMs { get; init; }

    /// <summary>
    /// The longest gap between consecutive received frames (any content, keepalive silence included) with no caller
    /// turn starting or ending between them: a stall inside a greeting or reply. The pause between a reply and the next
    /// one is never counted (a caller turn lies between), so a healthy call stays near 20 ms.
    /// </summary>
    public double? MaxPlayoutGapMs { get; init; }

    /// <summary>When the frame that ended <see cref="MaxPlayoutGapMs"/> arrived.</summary>
    public double? MaxPlayoutGapAtMs { get; init; }

    /// <summary>Gaps counted like <see cref="MaxPlayoutGapMs"/> that are longer than <see cref="PlayoutGapLimitMs"/>.</summary>
    public int PlayoutGapsOverLimit { get; init; }

    /// <summary>The first of those gaps (at most <see cref="MaxListedGaps"/>), with when each ended: a stutter before a failover is not the failover's.</summary>
    public IReadOnlyList<PlayoutGap> GapsOverLimit { get; init; } = [];

    /// <summary>How many gaps over the limit <see cref="GapsOverLimit"/> lists.</summary>
    public const int MaxListedGaps = 100;

    /// <summary>
    /// The call was lost: it ended before its planned end (the server closed, hung up or reset it) or a turn went
    /// unanswered within the reply timeout.
    /// </summary>
    public bool Dropped { get; init; }

    /// <summary>Why <see cref="Dropped"/> is true (the first reason), else null.</summary>
    public string? DropReason { get; init; }

    /// <summary>
    /// What the caller heard around an event at <paramref name="eventMs"/> (ms from the connect, like every time here):
    /// the waits that had closed before it (the baseline), and the longest one still open at it or begun after it.
    /// </summary>
    public EventImpact Around(double eventMs)
    {
        double? Longest(IEnumerable<AnswerWait> waits) => waits.Select(static w => (double?)w.DurationMs).Max();
        var after = Cycles.Where(c => c.SpeechEndMs >= eventMs).ToList();
        return new EventImpact(
            LongestWaitBeforeMs: Longest(Waits.Where(w => w.ToMs < eventMs)),
            LongestWaitSpanningMs: Longest(Waits.Where(w => w.ToMs >= eventMs)),
            TurnsAfter: after.Count,
            UnansweredAfter: after.Count(static c => c.ReplyMs is null),
            GapsOverLimitAfter: GapsOverLimit.Count(g => g.AtMs >= eventMs));
    }
}

/// <summary>A conversation seen around an event (a silo lost, a restart).</summary>
/// <param name="LongestWaitBeforeMs">The longest wait for an answer that ended before the event: the call's normal turn latency.</param>
/// <param name="LongestWaitSpanningMs">
/// The longest wait still open at the event or begun after it: the silence the caller heard because of it (null when
/// no turn was owed an answer from then on).
/// </param>
/// <param name="TurnsAfter">Turns whose speech ended at or after the event.</param>
/// <param name="UnansweredAfter">Of those, the turns never answered.</param>
/// <param name="GapsOverLimitAfter">Playout gaps over the limit that ended at or after the event.</param>
public sealed record EventImpact(double? LongestWaitBeforeMs, double? LongestWaitSpanningMs, int TurnsAfter, int UnansweredAfter, int GapsOverLimitAfter = 0);

/// <summary>A playout gap over the limit.</summary>
/// <param name="AtMs">When the frame ending it arrived.</param>
/// <param name="GapMs">How long it was.</param>
public sealed record PlayoutGap(double AtMs, double GapMs);

/// <summary>One caller turn.</summary>
/// <param name="Index">1 for the first turn.</param>
/// <param name="StartMs">The caller's first frame of the turn.</param>
/// <param name="SpeechEndMs">The end of the caller's speech (the tick after its last frame above -50 dBFS); null when the call ended first.</param>
/// <param name="ReplyMs">End of speech to the first agent speech frame after it; null when none came in time.</param>
/// <param name="GivenUp">No reply came within the reply timeout; the caller went on.</param>
/// <param name="MaxReplyGapMs">
/// The longest gap between received frames from the reply's first speech frame to the next caller turn: a stall the
/// caller hears in this answer (say, while a tool it called runs), apart from any in the greeting. Null without a
/// reply of two frames or more.
/// </param>
public sealed record CycleSummary(int Index, double StartMs, double? SpeechEndMs, double? ReplyMs, bool GivenUp, double? MaxReplyGapMs = null);

/// <summary>A stretch the caller waited for the agent.</summary>
/// <param name="FromMs">The end of the caller turn that is owed an answer.</param>
/// <param name="ToMs">The first agent speech after it, or the end of the call.</param>
/// <param name="Answered">False when the call ended while still waiting.</param>
public sealed record AnswerWait(double FromMs, double ToMs, bool Answered)
{
    /// <summary>How long the caller waited.</summary>
    public double DurationMs => ToMs - FromMs;
}
