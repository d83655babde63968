namespace AiAgent.Failover.Reporting;

/// <summary>Everything one harness invocation measured: each run and the spread over the runs.</summary>
internal sealed record FailoverReport
{
    /// <summary>The scenario.</summary>
    public required string Scenario { get; init; }

    /// <summary>Calls per run.</summary>
    public int Calls { get; init; }

    /// <summary>Silos per run.</summary>
    public int Silos { get; init; }

    /// <summary>How Asterisk was played: <c>dialplan</c> or <c>ari</c>.</summary>
    public string Asterisk { get; init; } = "dialplan";

    /// <summary>Standalone gateways per run.</summary>
    public int Gateways { get; init; } = 1;

    /// <summary>Seconds after the calls start that the event comes.</summary>
    public double EventAtSeconds { get; init; }

    /// <summary>Seconds the calls go on after the event.</summary>
    public double AfterSeconds { get; init; }

    /// <summary>The command line, to repeat the measurement.</summary>
    public required string Command { get; init; }

    /// <summary>The commit measured (<c>git rev-parse --short HEAD</c>), when known.</summary>
    public string? Commit { get; init; }

    /// <summary>Logical processors of this machine.</summary>
    public int Processors { get; init; }

    /// <summary>When the harness started.</summary>
    public DateTimeOffset StartedUtc { get; init; }

    /// <summary>The runs, in order (a run that failed to set up is missing and named in <see cref="Failures"/>).</summary>
    public IReadOnlyList<RunReport> Runs { get; init; } = [];

    /// <summary>Runs that could not be measured, and why.</summary>
    public IReadOnlyList<string> Failures { get; init; } = [];

    /// <summary>Calls dropped over all runs.</summary>
    public int Dropped => Runs.Sum(static r => r.Summary.Dropped);
}
