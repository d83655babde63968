namespace AiAgent.Failover.Reporting;

/// <summary>One call of a run, as its caller experienced the event. Times in ms.</summary>
internal sealed record CallReport
{
    /// <summary>The call UUID.</summary>
    public required string CallId { get; init; }

    /// <summary>The silo hosting the call just before the event; null when it could not be found.</summary>
    public string? Silo { get; init; }

    /// <summary>The call's silo went away in the event; null when its silo is unknown.</summary>
    public bool? OnTarget { get; init; }

    /// <summary>How CallSim's call ended (<c>CallerHangup</c> when we hung up as planned).</summary>
    public required string Outcome { get; init; }

    /// <summary>Lost: ended early by the platform, or a turn unanswered within the reply timeout.</summary>
    public bool Dropped { get; init; }

    /// <summary>Why it counts as dropped.</summary>
    public string? DropReason { get; init; }

    /// <summary>Caller turns in the whole call.</summary>
    public int Turns { get; init; }

    /// <summary>Turns whose speech ended at or after the event began.</summary>
    public int TurnsAfterEvent { get; init; }

    /// <summary>Of those, turns never answered.</summary>
    public int UnansweredAfterEvent { get; init; }

    /// <summary>The longest wait for an answer that ended before the event: the call's normal turn latency.</summary>
    public double? LongestWaitBeforeEventMs { get; init; }

    /// <summary>The longest wait for an answer open at the event or begun after it: the silence the event cost the caller.</summary>
    public double? LongestWaitSpanningEventMs { get; init; }

    /// <summary>The longest gap inside a greeting or reply (CallSim's playout gap).</summary>
    public double? MaxPlayoutGapMs { get; init; }

    /// <summary>When that gap ended, relative to the event's start (negative: before it).</summary>
    public double? MaxPlayoutGapFromEventMs { get; init; }

    /// <summary>Playout gaps over 60 ms in the whole call.</summary>
    public int PlayoutGapsOver60Ms { get; init; }

    /// <summary>Of those, the ones from the event's start on (earlier ones are this machine's, not the event's).</summary>
    public int PlayoutGapsOver60MsAfterEvent { get; init; }

    /// <summary>The longest gap between any two received frames (pauses between replies included).</summary>
    public double? MaxFrameGapMs { get; init; }

    /// <summary>Transcript lines stamped before the event.</summary>
    public int TranscriptLinesBefore { get; init; }

    /// <summary>Transcript lines stamped after the event.</summary>
    public int TranscriptLinesAfter { get; init; }

    /// <summary>The transcript has lines from before and from after the event.</summary>
    public bool TranscriptBeforeAndAfter { get; init; }

    /// <summary>Why the transcript could not be read.</summary>
    public string? TranscriptError { get; init; }

    /// <summary>ARI mode: the gateway carrying the call's media leg just before the event; null when unknown or in dialplan mode.</summary>
    public string? Gateway { get; init; }

    /// <summary>
    /// ARI mode: the caller's channel was in the same bridge at the end of the calls as at the event and never left a
    /// bridge in between (no <c>ChannelLeftBridge</c> for it); null when it had no bridge at the event.
    /// </summary>
    public bool? CallerStayedInBridge { get; init; }

    /// <summary>ARI mode: external-media legs the call used (the first and every replacement).</summary>
    public int? MediaLegs { get; init; }

    /// <summary>
    /// ARI mode: for each leg that took over, the time between the caller's last frame sent on the old leg and its
    /// first on the new one (the emulator's bridge carries audio either way only while a leg is in it): how long the
    /// caller and the platform were cut off from each other.
    /// </summary>
    public IReadOnlyList<double>? LegSwitchGapsMs { get; init; }

    /// <summary>
    /// ARI mode: for each leg that took over, the time between the last frame the caller heard from the old leg and the
    /// first from the new one. The gateway sends only while the agent speaks, so this spans the caller's next turn
    /// when the old leg ended at a quiet moment (a drain).
    /// </summary>
    public IReadOnlyList<double>? HeardLegSwitchGapsMs { get; init; }

    /// <summary>ARI mode: the longest of <see cref="LegSwitchGapsMs"/>.</summary>
    public double? MaxLegSwitchGapMs { get; init; }
}
