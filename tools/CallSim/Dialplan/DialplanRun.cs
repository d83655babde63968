using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Dialplan;

/// <summary>How a dialplan run ended.</summary>
public enum DialplanEnd
{
    /// <summary>The dialplan hung the channel up (Hangup(), an application returning -1, no more priorities).</summary>
    HungUp,

    /// <summary>The simulated caller hung up (it streamed all its audio) while an application ran.</summary>
    CallerHungUp,

    /// <summary>The channel reached a destination this interpreter does not execute (<c>Dial(PJSIP/…)</c>, <c>Queue()</c>).</summary>
    Dialled,

    /// <summary>The interpreter could not go on: an unsupported application or a runaway loop. Not an Asterisk outcome.</summary>
    Failed,
}

/// <summary>The end of a run: how, where, why, and for <see cref="DialplanEnd.Dialled"/> the destination.</summary>
public sealed record DialplanOutcome(DialplanEnd End, DialplanLocation? At, string Detail, string? Destination = null)
{
    /// <inheritdoc />
    public override string ToString() => End switch
    {
        DialplanEnd.Dialled => $"dialled {Destination} at {At}",
        _ => $"{End} at {At?.ToString() ?? "start"}: {Detail}",
    };
}

/// <summary>One application the dialplan ran, with its arguments after substitution.</summary>
public sealed record ExecutedStep(DialplanLocation At, string Application, string Arguments)
{
    /// <inheritdoc />
    public override string ToString() => $"{At}: {Application}({Arguments})";
}

/// <summary>Everything a run did.</summary>
/// <param name="Steps">The applications run, in order.</param>
/// <param name="Log">What Asterisk would log along the way, in order: each <c>Executing</c> line, warnings, AudioSocket and CURL results.</param>
/// <param name="Outcome">How the run ended.</param>
/// <param name="Variables">The channel variables at the end.</param>
/// <param name="Sessions">Each AudioSocket session placed, as CallSim saw it.</param>
public sealed record DialplanRunResult(
    IReadOnlyList<ExecutedStep> Steps,
    IReadOnlyList<string> Log,
    DialplanOutcome Outcome,
    IReadOnlyDictionary<string, string> Variables,
    IReadOnlyList<CallResult> Sessions)
{
    /// <summary>Warnings logged during the run (a dialplan that works logs none).</summary>
    public IEnumerable<string> Warnings => Log.Where(static l => l.StartsWith("WARNING", StringComparison.Ordinal));

    /// <summary>True when a priority with this label ran.</summary>
    public bool Ran(string label) => Steps.Any(s => s.At.Label == label);

    /// <summary>The whole run as text: the log, then the outcome.</summary>
    public string Describe() => string.Join(Environment.NewLine, Log.Append($"== {Outcome}"));
}
