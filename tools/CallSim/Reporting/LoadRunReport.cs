namespace AiAgent.CallSim.Reporting;

/// <summary>What <c>--json-out</c> and <c>--markdown</c> write: the command, the machine, and a run or a find-max search.</summary>
public sealed record LoadRunReport
{
    /// <summary>The command line as given.</summary>
    public required string CommandLine { get; init; }

    /// <summary>The machine the run measured on.</summary>
    public required MachineFacts Machine { get; init; }

    /// <summary>A single run's figures; null for a find-max search.</summary>
    public LoadSummary? Run { get; init; }

    /// <summary>A find-max search; null for a single run.</summary>
    public FindMaxReport? FindMax { get; init; }
}

/// <summary>One step of a find-max search.</summary>
/// <param name="Calls">N of the step.</param>
/// <param name="Held">It met the bar.</param>
/// <param name="GeneratorLimited">The generator was the limit.</param>
/// <param name="Reasons">Why it failed, if it did.</param>
/// <param name="Load">The step's figures (without the per-call summaries).</param>
public sealed record FindMaxStep(int Calls, bool Held, bool GeneratorLimited, IReadOnlyList<string> Reasons, LoadSummary Load);

/// <summary>The outcome of <c>--find-max</c>.</summary>
/// <param name="Steps">Every step, in the order run.</param>
/// <param name="LargestHeld">The largest N that held; null when none did.</param>
/// <param name="PlatformCpuPercentOfCorePerCallAtLargest">The platform's CPU % of a core per live call at that N (with <c>--platform-pid</c>).</param>
/// <param name="GeneratorLimited">The search stopped because the generator, not the platform, was the limit.</param>
/// <param name="Conclusion">Why it stopped, in a sentence.</param>
public sealed record FindMaxReport(
    IReadOnlyList<FindMaxStep> Steps, int? LargestHeld, double? PlatformCpuPercentOfCorePerCallAtLargest, bool GeneratorLimited, string Conclusion);
