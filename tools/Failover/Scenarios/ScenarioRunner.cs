using AiAgent.Failover.Platform;
using AiAgent.Failover.Processes;
using Microsoft.Extensions.Logging;

namespace AiAgent.Failover.Scenarios;

/// <summary>Performs a scenario on a running cluster and records each step's time.</summary>
/// <param name="minReady">Rolling: how long a restarted silo or gateway serves before the next one stops.</param>
internal sealed class ScenarioRunner(FailoverCluster cluster, TimeSpan minReady, ILogger logger)
{
    /// <summary>How long a silo may take over a graceful stop before it is killed.</summary>
    public static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(60);

    private readonly List<EventStep> _steps = [];

    /// <summary>Runs <paramref name="scenario"/>; <paramref name="target"/> is the silo for kill and term, the gateway for gateway-drain and gateway-kill.</summary>
    public async Task<FailoverEvent> RunAsync(Scenario scenario, PlatformNode? target, CancellationToken cancellationToken)
    {
        var start = DateTimeOffset.UtcNow;
        string targetName;
        IReadOnlyList<string> affected;
        switch (scenario)
        {
            case Scenario.Kill:
                var killed = target ?? throw new ArgumentNullException(nameof(target));
                Step(killed.Name, "SIGKILL");
                killed.Process.Signal(UnixSignal.Kill);
                await killed.Process.WaitForExitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
                Step(killed.Name, "exited");
                (targetName, affected) = (killed.Name, [killed.Name]);
                break;
            case Scenario.Term:
                var stopped = target ?? throw new ArgumentNullException(nameof(target));
                await StopAsync(stopped, cancellationToken).ConfigureAwait(false);
                (targetName, affected) = (stopped.Name, [stopped.Name]);
                break;
            case Scenario.Rolling:
                await RestartInTurnAsync(cluster.Silos, cancellationToken).ConfigureAwait(false);
                (targetName, affected) = ("all silos", cluster.Silos.Select(static s => s.Name).ToArray());
                break;
            case Scenario.GatewayRolling:
                await RestartInTurnAsync(cluster.Gateways, cancellationToken).ConfigureAwait(false);
                (targetName, affected) = ("all gateways", cluster.Gateways.Select(static g => g.Name).ToArray());
                break;
            case Scenario.RollingAll:
                await RestartInTurnAsync([.. cluster.Silos, .. cluster.Gateways], cancellationToken).ConfigureAwait(false);
                (targetName, affected) = ("all silos, then all gateways", [.. cluster.Silos.Select(static s => s.Name), .. cluster.Gateways.Select(static g => g.Name)]);
                break;
            case Scenario.RedisRestart:
                Step("redis", "SIGTERM");
                Step("redis", await cluster.Redis.StopAsync(cancellationToken).ConfigureAwait(false) ? "exited" : "killed after the grace");
                await cluster.Redis.StartAsync(cancellationToken).ConfigureAwait(false);
                Step("redis", "ready");
                (targetName, affected) = ("redis", []);
                break;
            case Scenario.GatewayDrain:
                var drained = target ?? throw new ArgumentNullException(nameof(target));
                await StopAsync(drained, cancellationToken).ConfigureAwait(false);
                (targetName, affected) = (drained.Name, [drained.Name]);
                break;
            case Scenario.GatewayKill:
                var gone = target ?? throw new ArgumentNullException(nameof(target));
                Step(gone.Name, "SIGKILL");
                gone.Process.Signal(UnixSignal.Kill);
                await gone.Process.WaitForExitAsync(TimeSpan.FromSeconds(10), cancellationToken).ConfigureAwait(false);
                Step(gone.Name, "exited");
                (targetName, affected) = (gone.Name, [gone.Name]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null);
        }

        var end = _steps.Count == 0 ? start : _steps[^1].AtUtc;
        return new FailoverEvent(scenario.Name(), start, end, targetName, affected, [.. _steps]);
    }

    /// <summary>Stops and restarts each node in turn, each ready (and serving <c>minReady</c>) before the next stops.</summary>
    private async Task RestartInTurnAsync(IReadOnlyList<PlatformNode> nodes, CancellationToken cancellationToken)
    {
        foreach (var node in nodes)
        {
            if (_steps.Count > 0 && minReady > TimeSpan.Zero)
            {
                // As a Deployment with minReadySeconds: the node just restarted serves a while before the next stops.
                await Task.Delay(minReady, cancellationToken).ConfigureAwait(false);
            }

            Log.RollingStep(logger, node.Name, "stopping");
            await StopAsync(node, cancellationToken).ConfigureAwait(false);
            await node.LaunchAsync().ConfigureAwait(false);
            Step(node.Name, "started");
            await node.WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
            Step(node.Name, "ready");
        }
    }

    private async Task StopAsync(PlatformNode silo, CancellationToken cancellationToken)
    {
        Step(silo.Name, "SIGTERM");
        var graceful = await silo.Process.StopAsync(StopGrace, cancellationToken).ConfigureAwait(false);
        Step(silo.Name, graceful ? "exited" : "killed after the grace");
    }

    private void Step(string node, string what) => _steps.Add(new EventStep(node, what, DateTimeOffset.UtcNow));
}
