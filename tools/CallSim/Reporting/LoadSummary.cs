namespace AiAgent.CallSim.Reporting;

/// <summary>Aggregate figures over all calls of a run.</summary>
public sealed record LoadSummary
{
    /// <summary>Calls in the run.</summary>
    public int Calls { get; init; }

    /// <summary>Calls that passed (see <see cref="CallSummary.Passed"/>).</summary>
    public int Passed { get; init; }

    /// <summary>Calls that did not pass.</summary>
    public int Failed { get; init; }

    /// <summary>Calls whose TCP connect failed.</summary>
    public int ConnectFailed { get; init; }

    /// <summary>How many calls ended each way (outcome name to count).</summary>
    public IReadOnlyDictionary<string, int> Outcomes { get; init; } = new Dictionary<string, int>();

    /// <summary>Calls whose server left its socket open after our hangup.</summary>
    public int ServerCloseTimeouts { get; init; }

    /// <summary>Wall time of the run.</summary>
    public double DurationMs { get; init; }

    /// <summary>Audio frames sent, all calls.</summary>
    public long FramesSent { get; init; }

    /// <summary>Audio frames received, all calls.</summary>
    public long FramesReceived { get; init; }

    /// <summary>Wrong-size frames received, all calls.</summary>
    public long WrongSizeFrames { get; init; }

    /// <summary>Mislabelled frames received, all calls.</summary>
    public long KindMismatchFrames { get; init; }

    /// <summary>Protocol violations, all calls.</summary>
    public long Violations { get; init; }

    /// <summary>Skipped writes, all calls.</summary>
    public long SendStalls { get; init; }

    /// <summary>Received frames with audible content, all calls.</summary>
    public long SpeechFrames { get; init; }

    /// <summary>Gaps between received frames, pooled over all calls.</summary>
    public required GapStatistics Gaps { get; init; }

    /// <summary>Connect to first audio frame, over the calls that got one.</summary>
    public required TimingStats FirstAudio { get; init; }

    /// <summary>Connect to first non-silent frame, over the calls that got one.</summary>
    public required TimingStats FirstSpeech { get; init; }

    /// <summary>How late the shared pacer woke for each 20 ms tick: if this is high, the simulator itself was starved.</summary>
    public required TimingStats PacerLateness { get; init; }

    /// <summary>Turns, waits, playout gaps and drops of the calls that talked in cycles; null when none did.</summary>
    public ConversationLoadSummary? Conversation { get; init; }

    /// <summary>Every call's own summary, when the calls talked in cycles (each has its turns); null otherwise.</summary>
    public IReadOnlyList<CallSummary>? PerCall { get; init; }

    /// <summary>The first failed calls, described.</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];
}
