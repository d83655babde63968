using System.Net;
using k8s.Models;

namespace AiAgent.Deploy.Tests;

/// <summary>The mounted configuration, the containers' ports, the Services and the site values agree.</summary>
[Collection(RenderedCollection.Name)]
public sealed class ConfigurationTests(RenderedManifests rendered)
{
    [Theory]
    [InlineData("ai-agent-silo", "silo", "clustering.silo_port")]
    [InlineData("ai-agent-silo", "orleans-gw", "clustering.gateway_port")]
    [InlineData("ai-agent-silo", "http", "silo.http_port")]
    [InlineData("ai-agent-gateway", "audiosocket", "audiosocket.port")]
    [InlineData("ai-agent-gateway", "http", "gateway.http_port")]
    public void Each_container_port_is_the_port_the_mounted_configuration_sets(string deployment, string portName, string key)
    {
        var container = rendered.Platform.Container(deployment);

        Assert.Equal(MountedConfiguration.From(rendered.Platform).Port(key), StopSequenceTests.ContainerPort(container, portName));
    }

    [Theory]
    [InlineData("ai-agent-audiosocket", "ai-agent-gateway", "audiosocket")]
    [InlineData("ai-agent-http", "ai-agent-silo", "http")]
    public void The_load_balancers_reach_the_named_port_and_keep_the_clients_address(string service, string deployment, string portName)
    {
        var spec = rendered.Platform.Get<V1Service>(service).Spec;
        var port = Assert.Single(spec.Ports);

        Assert.Equal(deployment, spec.Selector["app"]);
        Assert.Equal(portName, port.TargetPort.Value);
        Assert.Equal(StopSequenceTests.ContainerPort(rendered.Platform.Container(deployment), portName), port.Port);
        Assert.Equal("TCP", port.Protocol);
        // The NetworkPolicies and asterisk.disposition_clients check the source address: no SNAT on the way in.
        Assert.Equal("LoadBalancer", spec.Type);
        Assert.Equal("Local", spec.ExternalTrafficPolicy);
    }

    [Fact]
    public async Task The_gateway_accepts_the_mounted_configuration()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("aiagent-deploy-").FullName, MountedConfiguration.FileName);
        await File.WriteAllTextAsync(path, MountedConfiguration.From(rendered.Platform).Text);
        using var errors = new StringWriter();
        try
        {
            var app = await Gateway.Program.BuildAsync(["--config", path], errors);

            Assert.True(app is not null, errors.ToString());
            await app.DisposeAsync();
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void The_site_values_are_address_blocks_and_a_namespace_and_reach_the_site_ConfigMap()
    {
        Assert.True(IPNetwork.TryParse(SiteValues.AsteriskCidr, out _), $"asterisk_cidr {SiteValues.AsteriskCidr} is not a CIDR block");
        Assert.True(IPNetwork.TryParse(SiteValues.OperatorsCidr, out _), $"operators_cidr {SiteValues.OperatorsCidr} is not a CIDR block");
        Assert.Matches("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", SiteValues.PrometheusNamespace);

        Assert.Equal(SiteValues.All.OrderBy(v => v.Key), rendered.Platform.Get<V1ConfigMap>("ai-agent-site").Data.OrderBy(v => v.Key));
        Assert.DoesNotContain("SITE_", rendered.Platform.Yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void The_silo_takes_asterisk_disposition_clients_from_the_site_values()
    {
        var env = rendered.Platform.Container("ai-agent-silo").Env.Single(e => e.Name.StartsWith("AIAGENT_ASTERISK__", StringComparison.Ordinal));

        // AIAGENT_ prefix, "__" between sections: the first entry of the list asterisk.disposition_clients.
        Assert.Equal("asterisk:disposition_clients:0", env.Name["AIAGENT_".Length..].Replace("__", ":", StringComparison.Ordinal).ToLowerInvariant());
        Assert.Equal("ai-agent-site", env.ValueFrom.ConfigMapKeyRef.Name);
        Assert.Equal("asterisk_cidr", env.ValueFrom.ConfigMapKeyRef.Key);
        Assert.NotEqual(true, env.ValueFrom.ConfigMapKeyRef.Optional);
        // Set in one place only: a list in the file would merge with the variable entry by entry.
        Assert.False(MountedConfiguration.From(rendered.Platform).Contains("asterisk.disposition_clients"));
    }

    [Fact]
    public void The_silo_requires_the_secret_the_example_describes_with_the_API_token()
    {
        var secretRef = Assert.Single(rendered.Platform.Container("ai-agent-silo").EnvFrom).SecretRef;
        var example = File.ReadAllText(RepositoryRoot.PathTo("k8s", "secret.example.yaml"));
        var secret = Assert.Single(ManifestSchema.Read(example).OfType<V1Secret>());

        Assert.Equal(secret.Metadata.Name, secretRef.Name);
        Assert.NotEqual(true, secretRef.Optional);
        Assert.Contains("AIAGENT_API_TOKEN", secret.StringData.Keys);
    }
}
