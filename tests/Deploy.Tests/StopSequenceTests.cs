using AiAgent.Gateway.Hosting;
using k8s.Models;

namespace AiAgent.Deploy.Tests;

/// <summary>
/// How silos and gateways leave: a preStop pause, then SIGTERM starts the drain (silo: calls handed to another silo;
/// gateway: each AudioSocket session ended with <c>reconnect</c>), which is allowed 60 s; readiness turns false at
/// once, so the probes must notice it at once; the kubelet's grace period must outlast all of it.
/// </summary>
[Collection(RenderedCollection.Name)]
public sealed class StopSequenceTests(RenderedManifests rendered)
{
    /// <summary>What the drains are allowed (issue 11): the silo's call handover, the gateway's quiet-moment reconnects.</summary>
    private const int DrainSeconds = 60;

    /// <summary>Time the process needs to exit once its host has stopped.</summary>
    private const int ExitMarginSeconds = 5;

    public static TheoryData<string> Hosts => new() { "ai-agent-silo", "ai-agent-gateway" };

    [Theory]
    [MemberData(nameof(Hosts))]
    public void The_grace_period_outlasts_the_preStop_pause_and_a_host_shutdown_that_allows_the_whole_drain(string deployment)
    {
        var pod = rendered.Platform.Get<V1Deployment>(deployment).Spec.Template.Spec;
        var container = rendered.Platform.Container(deployment);

        var pause = PreStopPauseSeconds(container);
        var shutdown = int.Parse(Env(container, "DOTNET_SHUTDOWNTIMEOUTSECONDS"), System.Globalization.CultureInfo.InvariantCulture);

        Assert.InRange(pause, 1, 15);
        Assert.True(shutdown >= DrainSeconds, $"{deployment}: host shutdown timeout {shutdown} s is shorter than the {DrainSeconds} s drain");
        Assert.True(pod.TerminationGracePeriodSeconds >= pause + shutdown + ExitMarginSeconds,
            $"{deployment}: grace period {pod.TerminationGracePeriodSeconds} s < preStop {pause} s + shutdown {shutdown} s + {ExitMarginSeconds} s");
    }

    [Fact]
    public void The_gateways_drain_fits_its_host_shutdown_timeout_with_the_stop_margin()
    {
        var container = rendered.Platform.Container("ai-agent-gateway");
        var drain = MountedConfiguration.From(rendered.Platform).Port("gateway.drain_timeout_seconds");
        var shutdown = int.Parse(Env(container, "DOTNET_SHUTDOWNTIMEOUTSECONDS"), System.Globalization.CultureInfo.InvariantCulture);

        // The gateway raises a shorter shutdown timeout to drain + margin itself; the manifest must not rely on that,
        // or the kubelet's grace period, computed from the variable, would cut the drain short.
        Assert.InRange(drain, 1, DrainSeconds);
        Assert.True(shutdown >= drain + (int)AiAgent.Gateway.Configuration.GatewayInstanceOptions.DrainStopMargin.TotalSeconds,
            $"gateway.drain_timeout_seconds {drain} s + {AiAgent.Gateway.Configuration.GatewayInstanceOptions.DrainStopMargin.TotalSeconds} s > DOTNET_SHUTDOWNTIMEOUTSECONDS {shutdown} s");
    }

    [Theory]
    [InlineData("ai-agent-silo", "silo.http_port")]
    [InlineData("ai-agent-gateway", "gateway.http_port")]
    public void Readiness_is_the_hosts_readiness_endpoint_probed_often_and_dropped_on_the_first_failure(string deployment, string portKey)
    {
        var container = rendered.Platform.Container(deployment);
        var httpPort = MountedConfiguration.From(rendered.Platform).Port(portKey);

        var readiness = container.ReadinessProbe.HttpGet;
        Assert.Equal(AgentHostDefaults.ReadyPath, readiness.Path);
        Assert.Equal(httpPort, ContainerPort(container, readiness.Port.Value));
        Assert.Equal(1, container.ReadinessProbe.FailureThreshold);
        Assert.InRange(container.ReadinessProbe.PeriodSeconds ?? 10, 1, 2);

        Assert.Equal(AgentHostDefaults.LivePath, container.LivenessProbe.HttpGet.Path);
        Assert.Equal(httpPort, ContainerPort(container, container.LivenessProbe.HttpGet.Port.Value));
        Assert.Equal(AgentHostDefaults.LivePath, container.StartupProbe.HttpGet.Path);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public void A_rolling_update_starts_a_new_pod_before_it_stops_an_old_one(string deployment)
    {
        var spec = rendered.Platform.Get<V1Deployment>(deployment).Spec;

        Assert.Equal("RollingUpdate", spec.Strategy.Type);
        Assert.Equal("0", spec.Strategy.RollingUpdate.MaxUnavailable.Value);
        Assert.Equal("1", spec.Strategy.RollingUpdate.MaxSurge.Value);
        Assert.True(spec.MinReadySeconds > 0, "a new pod should stay ready a while before the next old one stops");
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public void A_disruption_budget_lets_one_pod_of_each_go_at_a_time(string deployment)
    {
        var spec = rendered.Platform.Get<V1Deployment>(deployment).Spec;
        var budget = rendered.Platform.Get<V1PodDisruptionBudget>(deployment).Spec;

        Assert.Equal("1", budget.MaxUnavailable.Value);
        Assert.Null(budget.MinAvailable);
        Assert.All(budget.Selector.MatchLabels, l => Assert.Equal(l.Value, spec.Template.Metadata.Labels[l.Key]));
        Assert.True(spec.Replicas >= 2, $"{deployment}: with one replica the budget would block every drain or protect nothing");
    }

    private static int PreStopPauseSeconds(V1Container container)
    {
        var command = container.Lifecycle.PreStop.Exec.Command;
        Assert.Equal("sleep", command[0]);
        return int.Parse(Assert.Single(command.Skip(1)), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Env(V1Container container, string name) =>
        container.Env.SingleOrDefault(e => e.Name == name)?.Value ?? throw new KeyNotFoundException($"{container.Name} does not set {name}");

    internal static int ContainerPort(V1Container container, string nameOrNumber) =>
        int.TryParse(nameOrNumber, out var number) ? number : container.Ports.Single(p => p.Name == nameOrNumber).ContainerPort;
}
