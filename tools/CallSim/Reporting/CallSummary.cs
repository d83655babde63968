namespace AiAgent.CallSim.Reporting;

/// <summary>What one simulated call saw. Times are milliseconds from the moment the TCP connect completed.</summary>
public sealed record CallSummary
{
    /// <summary>The call UUID sent in the first frame (canonical string, as the dialplan passed it).</summary>
    public required string CallId { get; init; }

    /// <summary>Where the call was placed: <c>host:port</c> as connected to (after any name mapping).</summary>
    public string? Target { get; init; }

    /// <summary>The call format name (<c>slin</c>, <c>slin16</c> ...).</summary>
    public required string Format { get; init; }

    /// <summary>How the call ended.</summary>
    public required CallOutcome Outcome { get; init; }

    /// <summary>Why a call failed to connect or broke, if it did.</summary>
    public string? Error { get; init; }

    /// <summary>When the TCP connect completed (wall clock), the origin of every time in this summary; null if it never did.</summary>
    public DateTimeOffset? ConnectedAtUtc { get; init; }

    /// <summary>From connect to the socket closing.</summary>
    public double DurationMs { get; init; }

    /// <summary>Audio frames sent to the server.</summary>
    public int FramesSent { get; init; }

    /// <summary>Silent frames not sent (<c>--silent-gaps</c>): ticks that passed with no frame.</summary>
    public int FramesWithheld { get; init; }

    /// <summary>
    /// The turn latency: from the end of the caller's speech (the tick after its last frame above -50 dBFS) to the
    /// first non-silent frame received after it; null when no reply came.
    /// </summary>
    public double? ReplyAfterSpeechMs { get; init; }

    /// <summary>
    /// From the last audio frame received to the server's hangup frame (<c>00 00 00</c>), in ms; null when the server
    /// did not send one. How long a dialplan waits, after the agent's last word, before it runs its next step.
    /// </summary>
    public double? HangupAfterLastFrameMs { get; init; }

    /// <summary>DTMF frames sent.</summary>
    public int DtmfSent { get; init; }

    /// <summary>20 ms ticks skipped because the previous write had not completed (the server stopped reading).</summary>
    public int SendStalls { get; init; }

    /// <summary>Worst lateness of one of our writes against its 20 ms deadline (a measure of the simulator's health).</summary>
    public double SendLateMaxMs { get; init; }

    /// <summary>Audio frames received before we hung up.</summary>
    public int FramesReceived { get; init; }

    /// <summary>Received audio frames whose payload is not exactly 20 ms of the call format.</summary>
    public int WrongSizeFrames { get; init; }

    /// <summary>Received audio frames labelled with another rate's kind than the one we send (not recorded).</summary>
    public int KindMismatchFrames { get; init; }

    /// <summary>Protocol violations by the server (non-audio kinds, zero-length or odd-length audio, truncated frame).</summary>
    public int Violations { get; init; }

    /// <summary>The first violations, described.</summary>
    public IReadOnlyList<string> ViolationDetails { get; init; } = [];

    /// <summary>Connect to the first audio frame of any content.</summary>
    public double? FirstAudioMs { get; init; }

    /// <summary>Connect to the first non-silent audio frame: the agent starting to speak.</summary>
    public double? FirstSpeechMs { get; init; }

    /// <summary>Gaps between consecutive received audio frames.</summary>
    public required GapStatistics Gaps { get; init; }

    /// <summary>
    /// Gaps between received frames inside the agent's replies (and greeting): from its first speech after a caller turn
    /// edge to the next edge. Pauses between turns are not among them; <see cref="Gaps"/> has every gap.
    /// </summary>
    public GapStatistics ReplyGaps { get; init; } = GapStatistics.Empty;

    /// <summary>
    /// Received frames that came more than <see cref="ConversationTimeline.LateFrameGapMs"/> (40 ms) after the previous
    /// one inside a reply: the caller heard the agent's audio run dry.
    /// </summary>
    public int LateFrames { get; init; }

    /// <summary>Received frames whose every sample is within ±32 (about -60 dBFS): silence.</summary>
    public int SilentFrames { get; init; }

    /// <summary>Received frames with audible content.</summary>
    public int SpeechFrames { get; init; }

    /// <summary>Audio frames that arrived after we hung up (drained, not counted above).</summary>
    public int FramesAfterHangup { get; init; }

    /// <summary>After our hangup, how long the server took to close its side (null if it did not, or we did not hang up).</summary>
    public double? ServerCloseAfterHangupMs { get; init; }

    /// <summary>After the server's hangup frame, how long it took to close its side (null if it did not, or sent none).</summary>
    public double? ServerCloseAfterHangupFrameMs { get; init; }

    /// <summary>
    /// True when the server left its side open for longer than the close wait after our hangup or after its own
    /// hangup frame (a CLOSE-WAIT leak, or a gateway that keeps a finished call's socket).
    /// </summary>
    public bool ServerCloseTimedOut { get; init; }

    /// <summary>A conversation's turns, waits and playout gaps (<c>--cycles</c> / <c>--duration</c>); null for a classic call.</summary>
    public ConversationSummary? Conversation { get; init; }

    /// <summary>
    /// The call connected, ended normally and the server broke no rule: no violation, no wrong-size or mislabelled
    /// frame, it kept reading our audio (no stalled tick: megabytes of socket buffer were full), and it closed its
    /// side after our hangup; a conversation must also not have been dropped.
    /// </summary>
    public bool Passed => Outcome is CallOutcome.CallerHangup or CallOutcome.ServerHangupFrame or CallOutcome.ServerClosed
        && Violations == 0 && WrongSizeFrames == 0 && KindMismatchFrames == 0 && SendStalls == 0 && !ServerCloseTimedOut
        && Conversation is not { Dropped: true };
}
