using System.Net;
using k8s.Models;

namespace AiAgent.Deploy.Tests;

/// <summary>Where a connection comes from: a pod (its namespace and labels) or an address outside the cluster.</summary>
internal sealed record Source(string? Namespace, IReadOnlyDictionary<string, string>? PodLabels, IPAddress? Address)
{
    public static Source Pod(string @namespace, string app) => new(@namespace, new Dictionary<string, string> { ["app"] = app }, null);

    public static Source External(string address) => new(null, null, IPAddress.Parse(address));
}

/// <summary>
/// Ingress NetworkPolicy semantics (Kubernetes "Network Policies") for the features the manifests use: a pod that no
/// Ingress policy selects admits everything; a selected pod admits a connection when some rule of some selecting
/// policy matches both its source (a pod selector in the policy's namespace, a namespace selector, an address block)
/// and its port. Namespaces carry their automatic <c>kubernetes.io/metadata.name</c> label.
/// </summary>
internal sealed class NetworkPolicyEvaluator(IEnumerable<V1NetworkPolicy> policies)
{
    private readonly IReadOnlyList<V1NetworkPolicy> _policies = [.. policies];

    public bool Allows(Source source, string destinationNamespace, string destinationApp, int port)
    {
        var destination = new Dictionary<string, string> { ["app"] = destinationApp };
        var selecting = _policies
            .Where(p => p.Metadata.NamespaceProperty == destinationNamespace)
            .Where(p => (p.Spec.PolicyTypes ?? ["Ingress"]).Contains("Ingress"))
            .Where(p => Selects(p.Spec.PodSelector, destination))
            .ToList();
        return selecting.Count == 0 || selecting.Any(p => (p.Spec.Ingress ?? []).Any(rule => Admits(rule, p.Metadata.NamespaceProperty, source, port)));
    }

    private static bool Admits(V1NetworkPolicyIngressRule rule, string policyNamespace, Source source, int port) =>
        (rule.Ports is not { Count: > 0 } || rule.Ports.Any(p => PortMatches(p, port)))
        && (rule.FromProperty is not { Count: > 0 } || rule.FromProperty.Any(peer => PeerMatches(peer, policyNamespace, source)));

    private static bool PortMatches(V1NetworkPolicyPort rule, int port)
    {
        if ((rule.Protocol ?? "TCP") != "TCP")
        {
            return false;
        }

        if (rule.Port is null)
        {
            return true;
        }

        // Named ports would need the destination's container ports; the manifests use numbers.
        var first = int.TryParse(rule.Port.Value, out var number) ? number : throw new NotSupportedException($"named port {rule.Port.Value}");
        return port >= first && port <= (rule.EndPort ?? first);
    }

    private static bool PeerMatches(V1NetworkPolicyPeer peer, string policyNamespace, Source source)
    {
        if (peer.IpBlock is { } block)
        {
            // An address block stands for addresses outside the cluster; pods are matched by selectors.
            return source.Address is { } address
                && IPNetwork.Parse(block.Cidr).Contains(address)
                && !(block.Except ?? []).Any(e => IPNetwork.Parse(e).Contains(address));
        }

        if (source.PodLabels is null || source.Namespace is null)
        {
            return false;
        }

        var namespaceMatches = peer.NamespaceSelector is { } namespaces
            ? Selects(namespaces, new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = source.Namespace })
            : source.Namespace == policyNamespace;
        return namespaceMatches && (peer.PodSelector is null || Selects(peer.PodSelector, source.PodLabels));
    }

    private static bool Selects(V1LabelSelector selector, IReadOnlyDictionary<string, string> labels) =>
        (selector.MatchLabels ?? new Dictionary<string, string>()).All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value)
        && (selector.MatchExpressions ?? []).All(e => e.OperatorProperty switch
        {
            "In" => labels.TryGetValue(e.Key, out var v) && e.Values.Contains(v),
            "NotIn" => !labels.TryGetValue(e.Key, out var v) || !e.Values.Contains(v),
            "Exists" => labels.ContainsKey(e.Key),
            "DoesNotExist" => !labels.ContainsKey(e.Key),
            _ => throw new NotSupportedException($"selector operator {e.OperatorProperty}"),
        });
}
