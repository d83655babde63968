namespace AiAgent.Failover.Scenarios;

/// <summary>What the harness did and when (wall clock, UTC, like the call transcripts).</summary>
/// <param name="Scenario">Its name (<c>kill</c>, <c>term</c>, <c>rolling</c>, <c>redis-restart</c>).</param>
/// <param name="StartUtc">The first signal.</param>
/// <param name="EndUtc">When the platform was whole again as far as the harness is concerned: the killed or stopped silo gone, the last restarted process ready.</param>
/// <param name="Target">What was hit: a silo's name, <c>all silos</c>, or <c>redis</c>.</param>
/// <param name="AffectedSilos">Silos (or for a gateway scenario the gateway) that went away during the event (calls hosted or carried there are "on the target").</param>
/// <param name="Steps">Every signal, exit and restart, in order.</param>
internal sealed record FailoverEvent(
    string Scenario,
    DateTimeOffset StartUtc,
    DateTimeOffset EndUtc,
    string Target,
    IReadOnlyList<string> AffectedSilos,
    IReadOnlyList<EventStep> Steps);

/// <summary>One thing that happened during an event.</summary>
/// <param name="Node">The process (<c>silo2</c>, <c>redis</c>).</param>
/// <param name="What"><c>SIGKILL</c>, <c>SIGTERM</c>, <c>exited</c>, <c>killed after the grace</c>, <c>started</c>, <c>ready</c>.</param>
/// <param name="AtUtc">When.</param>
internal sealed record EventStep(string Node, string What, DateTimeOffset AtUtc);
