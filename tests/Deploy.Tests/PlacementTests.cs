using k8s.Models;

namespace AiAgent.Deploy.Tests;

/// <summary>Where pods land and how Prometheus and Orleans hosting find them.</summary>
[Collection(RenderedCollection.Name)]
public sealed class PlacementTests(RenderedManifests rendered)
{
    [Theory]
    [InlineData("ai-agent-silo")]
    [InlineData("ai-agent-gateway")]
    public void Pods_prefer_a_node_of_their_own(string deployment)
    {
        var template = rendered.Platform.Get<V1Deployment>(deployment).Spec.Template;

        var affinity = template.Spec.Affinity.PodAntiAffinity;
        Assert.Null(affinity.RequiredDuringSchedulingIgnoredDuringExecution); // preferred: still schedulable on fewer nodes
        var term = Assert.Single(affinity.PreferredDuringSchedulingIgnoredDuringExecution).PodAffinityTerm;
        Assert.Equal("kubernetes.io/hostname", term.TopologyKey);
        Assert.Equal(deployment, term.LabelSelector.MatchLabels["app"]);
        Assert.Equal(deployment, template.Metadata.Labels["app"]);
    }

    [Theory]
    [InlineData("ai-agent-silo", "silo.http_port")]
    [InlineData("ai-agent-gateway", "gateway.http_port")]
    public void Prometheus_scrapes_metrics_on_the_hosts_http_port(string deployment, string portKey)
    {
        var annotations = rendered.Platform.Get<V1Deployment>(deployment).Spec.Template.Metadata.Annotations;
        var port = MountedConfiguration.From(rendered.Platform).Port(portKey);

        Assert.Equal("true", annotations["prometheus.io/scrape"]);
        Assert.Equal("/metrics", annotations["prometheus.io/path"]);
        Assert.Equal(port.ToString(System.Globalization.CultureInfo.InvariantCulture), annotations["prometheus.io/port"]);
    }

    [Fact]
    public void Silo_pods_carry_the_Orleans_hosting_labels_and_variables_of_the_configured_cluster()
    {
        var template = rendered.Platform.Get<V1Deployment>("ai-agent-silo").Spec.Template;
        var config = MountedConfiguration.From(rendered.Platform);
        var env = template.Spec.Containers[0].Env.ToDictionary(e => e.Name);

        Assert.Equal("kubernetes", config["clustering.mode"]);
        Assert.Equal(config["clustering.service_id"], template.Metadata.Labels["orleans/serviceId"]);
        Assert.Equal(config["clustering.cluster_id"], template.Metadata.Labels["orleans/clusterId"]);
        Assert.Equal(config["clustering.service_id"], env["ORLEANS_SERVICE_ID"].Value);
        Assert.Equal(config["clustering.cluster_id"], env["ORLEANS_CLUSTER_ID"].Value);
        Assert.Equal("metadata.name", env["POD_NAME"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("metadata.namespace", env["POD_NAMESPACE"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("status.podIP", env["POD_IP"].ValueFrom.FieldRef.FieldPath);
        Assert.Equal("ai-agent-silo", template.Spec.ServiceAccountName);
    }
}
