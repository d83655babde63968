namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>How a tool call ended, as the call record, the API and the <c>outcome</c> metric label name it.</summary>
public enum ToolCallOutcome
{
    /// <summary>The tool ran and its result went back to the model.</summary>
    Ok = 0,

    /// <summary>The model's arguments failed the tool's JSON schema (or were not JSON); the model got the errors.</summary>
    InvalidArguments = 1,

    /// <summary>The model asked for a tool this line does not offer.</summary>
    UnknownTool = 2,

    /// <summary>The tool failed (an exception, an HTTP error status); the model got an error result.</summary>
    Failed = 3,

    /// <summary>The tool did not answer within its timeout; the model got an error result.</summary>
    TimedOut = 4,

    /// <summary>The call ended (or the provider session was lost) while the tool ran.</summary>
    Cancelled = 5,
}

/// <summary>
/// One tool call of a call, for the call record, the post-call webhook and the operators' page. Arguments and result
/// are kept as the JSON text exchanged with the model: they may carry personal data, so they are stored like the
/// transcript and never logged at Information level.
/// </summary>
[GenerateSerializer, Immutable, Alias("AiAgent.ToolCallEntry")]
public sealed record ToolCallEntry(
    [property: Id(0)] DateTime StartedAtUtc,
    [property: Id(1)] string Name,
    [property: Id(2)] string Arguments,
    [property: Id(3)] string Result,
    [property: Id(4)] ToolCallOutcome Outcome,
    [property: Id(5)] double DurationMs);
