namespace AiAgent.CallSim.Dialplan;

/// <summary>What an application tells the PBX loop: go on, jump, or the run is over.</summary>
internal readonly record struct ApplicationResult(GotoTarget? Jump, DialplanOutcome? End)
{
    /// <summary>The next priority (the application returned 0).</summary>
    public static ApplicationResult Next { get; } = new(null, null);

    public static ApplicationResult JumpTo(GotoTarget target) => new(target, null);

    public static ApplicationResult Stop(DialplanOutcome outcome) => new(null, outcome);
}
