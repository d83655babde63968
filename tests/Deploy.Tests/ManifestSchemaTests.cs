using k8s;
using k8s.Models;

namespace AiAgent.Deploy.Tests;

[Collection(RenderedCollection.Name)]
public sealed class ManifestSchemaTests(RenderedManifests rendered)
{
    [Fact]
    public void The_platform_renders_to_exactly_these_objects_each_matching_its_kind()
    {
        string[] expected =
        [
            "Namespace/ai-agent", "ServiceAccount/ai-agent-silo", "Role/ai-agent-silo", "RoleBinding/ai-agent-silo",
            "ConfigMap/ai-agent-config", "ConfigMap/ai-agent-site", "ConfigMap/ai-agent-grafana-dashboards",
            "Service/redis", "Service/redis-headless", "Service/ai-agent-http", "Service/ai-agent-audiosocket",
            "StatefulSet/redis", "Deployment/ai-agent-silo", "Deployment/ai-agent-gateway",
            "PodDisruptionBudget/ai-agent-silo", "PodDisruptionBudget/ai-agent-gateway",
            "NetworkPolicy/default-deny-ingress", "NetworkPolicy/ai-agent-gateway-ingress",
            "NetworkPolicy/ai-agent-silo-ingress", "NetworkPolicy/redis-ingress",
        ];

        Assert.Equal(expected.Order(), rendered.Platform.Objects.Select(Describe).Order());
        Assert.All(rendered.Platform.Objects.Where(o => o.Kind != "Namespace"), o => Assert.Equal("ai-agent", Metadata(o).NamespaceProperty));
    }

    [Fact]
    public void The_Grafana_overlay_renders_to_a_provisioned_Grafana_each_object_matching_its_kind()
    {
        Assert.Equal(
            ["ConfigMap/ai-agent-grafana-provisioning", "Deployment/grafana", "Service/grafana"],
            rendered.Grafana.Objects.Select(Describe).Select(d => d.StartsWith("ConfigMap/ai-agent-grafana-provisioning", StringComparison.Ordinal) ? "ConfigMap/ai-agent-grafana-provisioning" : d).Order());
        Assert.All(rendered.Grafana.Objects, o => Assert.Equal("ai-agent", Metadata(o).NamespaceProperty));
    }

    [Theory]
    [InlineData("terminationGracePeriodSeconds:", "terminationGracePeriodSecond:")]
    [InlineData("readinessProbe:", "readynessProbe:")]
    [InlineData("maxUnavailable: 0", "maxUnavailible: 0")]
    [InlineData("volumeClaimTemplates:", "volumeClaimTemplate:")]
    [InlineData("ipBlock:", "ipBlocks:")]
    [InlineData("unhealthyPodEvictionPolicy:", "unhealthyPodEvictionPolicies:")]
    public void A_misspelled_field_fails_the_schema_check(string field, string misspelled)
    {
        var yaml = ReplaceFirst(rendered.Platform.Yaml, field, misspelled);

        var error = Assert.Throws<ManifestSchemaException>(() => ManifestSchema.Read(yaml));
        Assert.Contains(misspelled.TrimEnd(':', ' ', '0'), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_of_the_wrong_type_fails_the_schema_check()
    {
        var yaml = ReplaceFirst(rendered.Platform.Yaml, "terminationGracePeriodSeconds: 80", "terminationGracePeriodSeconds: eighty");

        Assert.Throws<ManifestSchemaException>(() => ManifestSchema.Read(yaml));
    }

    [Fact]
    public void An_unknown_kind_fails_the_schema_check()
    {
        var yaml = rendered.Platform.Yaml + "---\napiVersion: apps/v1\nkind: Deploymnet\nmetadata:\n  name: typo\n";

        Assert.Throws<ManifestSchemaException>(() => ManifestSchema.Read(yaml));
    }

    private static string Describe(IKubernetesObject o) => $"{o.Kind}/{Metadata(o).Name}";

    private static V1ObjectMeta Metadata(IKubernetesObject o) => ((IMetadata<V1ObjectMeta>)o).Metadata;

    private static string ReplaceFirst(string text, string find, string replacement)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0, $"the rendered manifests no longer contain '{find}'");
        return string.Concat(text.AsSpan(0, at), replacement, text.AsSpan(at + find.Length));
    }
}
