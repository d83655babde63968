using AiAgent.CallSim.Reporting;
using AiAgent.Failover.Scenarios;

namespace AiAgent.Failover.Reporting;

/// <summary>One run: a fresh cluster, the calls, the event, and what every caller heard.</summary>
internal sealed record RunReport
{
    /// <summary>1 for the first run.</summary>
    public int Run { get; init; }

    /// <summary>The run's folder (child logs, Redis data).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>When the calls started.</summary>
    public DateTimeOffset CallsStartedUtc { get; init; }

    /// <summary><c>/proc/loadavg</c>'s 1, 5 and 15-minute load averages when the calls started.</summary>
    public string? LoadAverageAtStart { get; init; }

    /// <summary>The same when the calls had ended.</summary>
    public string? LoadAverageAtEnd { get; init; }

    /// <summary>Whether the silo of every call was found (the management grain answered).</summary>
    public bool PlacementKnown { get; init; }

    /// <summary>Calls per silo just before the event.</summary>
    public IReadOnlyDictionary<string, int> CallsPerSilo { get; init; } = new Dictionary<string, int>();

    /// <summary>ARI mode: calls whose media leg each gateway carried just before the event.</summary>
    public IReadOnlyDictionary<string, int>? CallsPerGateway { get; init; }

    /// <summary>What the harness did.</summary>
    public required FailoverEvent Event { get; init; }

    /// <summary>The run in figures.</summary>
    public required RunSummary Summary { get; init; }

    /// <summary>How late CallSim's own pacer woke: high values mean the simulator was starved and its figures say so.</summary>
    public required TimingStats CallSimPacerLateness { get; init; }

    /// <summary>Every call.</summary>
    public IReadOnlyList<CallReport> Calls { get; init; } = [];
}

/// <summary>A run's figures.</summary>
internal sealed record RunSummary
{
    /// <summary>Calls placed.</summary>
    public int Calls { get; init; }

    /// <summary>Calls dropped.</summary>
    public int Dropped { get; init; }

    /// <summary>Calls whose silo went away in the event.</summary>
    public int CallsOnTarget { get; init; }

    /// <summary>Of those, dropped.</summary>
    public int DroppedOnTarget { get; init; }

    /// <summary>Calls on a silo that stayed up (all calls for a Redis restart).</summary>
    public int CallsElsewhere { get; init; }

    /// <summary>Of those, dropped.</summary>
    public int DroppedElsewhere { get; init; }

    /// <summary>Each call's longest wait for an answer spanning the event.</summary>
    public required TimingStats WaitSpanningEvent { get; init; }

    /// <summary>The same, calls on the target only.</summary>
    public required TimingStats WaitSpanningEventOnTarget { get; init; }

    /// <summary>The same, calls elsewhere only.</summary>
    public required TimingStats WaitSpanningEventElsewhere { get; init; }

    /// <summary>Each call's longest wait before the event (the baseline turn latency).</summary>
    public required TimingStats WaitBeforeEvent { get; init; }

    /// <summary>Calls elsewhere with a playout gap over 60 ms (a healthy silo's calls must have none).</summary>
    public int CallsElsewhereWithGapOver60Ms { get; init; }

    /// <summary>Of those, the calls with such a gap from the event's start on.</summary>
    public int CallsElsewhereWithGapOver60MsAfterEvent { get; init; }

    /// <summary>Each call-elsewhere's longest playout gap.</summary>
    public required TimingStats MaxPlayoutGapElsewhere { get; init; }

    /// <summary>Calls whose transcript has lines from before and after the event.</summary>
    public int TranscriptsBeforeAndAfter { get; init; }

    /// <summary>ARI mode: each call's longest leg-switch gap (calls that switched legs).</summary>
    public TimingStats? LegSwitchGap { get; init; }

    /// <summary>ARI mode: calls that used more than one media leg.</summary>
    public int? CallsThatSwitchedLegs { get; init; }

    /// <summary>ARI mode: calls whose caller left its bridge (or was in another one) between the event and the end of the calls.</summary>
    public int? CallsThatLeftTheirBridge { get; init; }
}
