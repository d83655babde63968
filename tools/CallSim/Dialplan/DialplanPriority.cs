namespace AiAgent.CallSim.Dialplan;

/// <summary>One priority of an extension: <c>exten => 100,2(label),App(arguments)</c>.</summary>
/// <param name="Number">The priority number (<c>n</c> resolved).</param>
/// <param name="Label">The label in <c>n(label)</c>, if any.</param>
/// <param name="Application">The application name as written.</param>
/// <param name="Arguments">The raw argument text, before variable substitution.</param>
/// <param name="Line">The source line (1-based), for messages.</param>
public sealed record DialplanPriority(int Number, string? Label, string Application, string Arguments, int Line);
