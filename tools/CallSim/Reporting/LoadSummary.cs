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

    /// <summary>Who ended the calls (caller, platform, socket) and how many had a reply gap over 100 ms.</summary>
    public CallEndings Endings { get; init; } = new();

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

    /// <summary>Gaps between received frames inside replies (<see cref="CallSummary.ReplyGaps"/>), pooled over all calls.</summary>
    public GapStatistics ReplyGaps { get; init; } = GapStatistics.Empty;

    /// <summary>Late frames (<see cref="CallSummary.LateFrames"/>: over 40 ms after the previous one inside a reply), all calls.</summary>
    public long LateFrames { get; init; }

    /// <summary>Calls with at least one late frame.</summary>
    public int CallsWithLateFrames { get; init; }

    /// <summary>The sum of every call's connected time (connect to hangup), in seconds: the load the platform carried.</summary>
    public double CallSeconds { get; init; }

    /// <summary>Calls live on average over the run: <see cref="CallSeconds"/> / wall seconds.</summary>
    public double MeanLiveCalls { get; init; }

    /// <summary>CPU time this process (the generator: pacer and receive loops) used during the run.</summary>
    public double GeneratorCpuSeconds { get; init; }

    /// <summary><see cref="GeneratorCpuSeconds"/> / wall seconds × 100: how much of one core the generator took.</summary>
    public double GeneratorCpuPercentOfCore { get; init; }

    /// <summary>The generator's own garbage collections during the run: a pause of its own delays every call's frames at once.</summary>
    public GcActivity? GeneratorGc { get; init; }

    /// <summary>How the calls arrived: <c>all</c> (over the ramp) or <c>steady</c> (Poisson, drawn holds).</summary>
    public string Arrival { get; init; } = "all";

    /// <summary>The seed of a steady schedule (the same seed draws the same calls); null for <c>all</c>.</summary>
    public int? Seed { get; init; }

    /// <summary>CPU time the platform process used during the run (<c>--platform-pid</c>); null without it.</summary>
    public double? PlatformCpuSeconds { get; init; }

    /// <summary>
    /// The headline: platform CPU seconds per call second × 100, the percent of one core each live call costs
    /// (<see cref="PlatformCpuSeconds"/> / <see cref="CallSeconds"/> × 100); null without <c>--platform-pid</c>.
    /// </summary>
    public double? PlatformCpuPercentOfCorePerCall { get; init; }

    /// <summary>The platform process's resident set (VmRSS) after the run, in MiB; null without <c>--platform-pid</c>.</summary>
    public double? PlatformRssMb { get; init; }

    /// <summary>The platform process sampled through the run (<c>--platform-pid</c>, every <c>--sample-seconds</c>; the last sample is the one after it); null without it.</summary>
    public ProcessTrend? PlatformTrend { get; init; }

    /// <summary>The platform's own figures from <c>/metrics</c> over the run (<c>--metrics</c>); null without it.</summary>
    public PlatformMetrics? PlatformMetrics { get; init; }

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
