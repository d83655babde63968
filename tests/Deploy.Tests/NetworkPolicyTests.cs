using System.Net;
using k8s.Models;

namespace AiAgent.Deploy.Tests;

/// <summary>
/// Who may connect to what under the rendered NetworkPolicies: Asterisk only to AudioSocket and the disposition,
/// Orleans and Redis only among silos and gateways, Prometheus only to the metrics ports, nothing else.
/// </summary>
[Collection(RenderedCollection.Name)]
public sealed class NetworkPolicyTests(RenderedManifests rendered)
{
    private const string Namespace = "ai-agent";
    private const string Silo = "ai-agent-silo";
    private const string Gateway = "ai-agent-gateway";
    private const string Redis = "redis";

    public static TheoryData<string, string, int, bool> Connections => new()
    {
        // source, destination app, port, allowed
        { "asterisk", Gateway, 8090, true },
        { "asterisk", Silo, 8080, true },
        { "operators", Silo, 8080, true },
        { "silo", Silo, 11111, true },
        { "gateway", Silo, 30000, true },
        { "silo", Redis, 6379, true },
        { "gateway", Redis, 6379, true },
        { "prometheus", Silo, 8080, true },
        { "prometheus", Gateway, 8091, true },
        { "internet", Gateway, 8090, false },
        { "internet", Silo, 8080, false },
        { "operators", Gateway, 8090, false },
        { "asterisk", Gateway, 8091, false },
        { "asterisk", Silo, 11111, false },
        { "asterisk", Silo, 30000, false },
        { "asterisk", Redis, 6379, false },
        { "gateway", Silo, 11111, false },
        { "gateway", Gateway, 8090, false },
        { "silo-elsewhere", Silo, 11111, false },
        { "prometheus", Redis, 6379, false },
        { "prometheus", Silo, 11111, false },
        { "other-namespace", Silo, 8080, false },
        { "other-namespace", Gateway, 8091, false },
        { "grafana", Silo, 8080, false },
    };

    [Theory]
    [MemberData(nameof(Connections))]
    public void Only_the_intended_connections_are_admitted(string source, string destination, int port, bool allowed)
    {
        var policies = new NetworkPolicyEvaluator(rendered.Platform.All<V1NetworkPolicy>());

        Assert.Equal(allowed, policies.Allows(SourceNamed(source), Namespace, destination, port));
    }

    [Fact]
    public void Every_pod_of_the_namespace_is_under_a_default_deny()
    {
        var deny = rendered.Platform.Get<V1NetworkPolicy>("default-deny-ingress").Spec;

        Assert.Empty(deny.PodSelector.MatchLabels ?? new Dictionary<string, string>());
        Assert.Empty(deny.PodSelector.MatchExpressions ?? []);
        Assert.Equal(["Ingress"], deny.PolicyTypes);
        Assert.Empty(deny.Ingress ?? []);
    }

    private static Source SourceNamed(string name) => name switch
    {
        "asterisk" => Source.External(HostIn(SiteValues.AsteriskCidr)),
        "operators" => Source.External(HostIn(SiteValues.OperatorsCidr)),
        "internet" => Source.External("203.0.113.7"),
        "silo" => Source.Pod(Namespace, Silo),
        "gateway" => Source.Pod(Namespace, Gateway),
        "grafana" => Source.Pod(Namespace, "grafana"),
        "silo-elsewhere" => Source.Pod("default", Silo),
        "prometheus" => Source.Pod(SiteValues.PrometheusNamespace, "prometheus"),
        "other-namespace" => Source.Pod("default", "prometheus"),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    /// <summary>An address inside the block: its base address plus one.</summary>
    private static string HostIn(string cidr)
    {
        var bytes = IPNetwork.Parse(cidr).BaseAddress.GetAddressBytes();
        bytes[^1]++;
        return new IPAddress(bytes).ToString();
    }
}
