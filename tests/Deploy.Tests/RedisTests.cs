using k8s.Models;

namespace AiAgent.Deploy.Tests;

/// <summary>Redis keeps membership, call records and stream subscriptions across its own restarts.</summary>
[Collection(RenderedCollection.Name)]
public sealed class RedisTests(RenderedManifests rendered)
{
    [Fact]
    public void Redis_is_a_stateful_set_writing_its_append_only_file_to_a_claimed_volume()
    {
        var redis = rendered.Platform.Get<V1StatefulSet>("redis").Spec;
        var container = Assert.Single(redis.Template.Spec.Containers);
        var claim = Assert.Single(redis.VolumeClaimTemplates);

        Assert.Equal(1, redis.Replicas);
        Assert.Equal("yes", container.Args[container.Args.IndexOf("--appendonly") + 1]);
        var dataDirectory = container.Args[container.Args.IndexOf("--dir") + 1];
        Assert.Equal(dataDirectory, container.VolumeMounts.Single(m => m.Name == claim.Metadata.Name).MountPath);
        Assert.Equal(["ReadWriteOnce"], claim.Spec.AccessModes);
        Assert.True(claim.Spec.Resources.Requests.ContainsKey("storage"));
    }

    [Fact]
    public void The_governing_service_is_headless_and_the_platform_connects_to_the_service_it_is_configured_with()
    {
        var redis = rendered.Platform.Get<V1StatefulSet>("redis").Spec;
        var governing = rendered.Platform.Get<V1Service>(redis.ServiceName).Spec;
        var config = MountedConfiguration.From(rendered.Platform);

        Assert.Equal("None", governing.ClusterIP);
        Assert.Equal("redis", governing.Selector["app"]);
        foreach (var key in new[] { "clustering.redis", "storage.redis" })
        {
            var (host, port) = (config[key].Split(':')[0], int.Parse(config[key].Split(':')[1], System.Globalization.CultureInfo.InvariantCulture));
            var service = rendered.Platform.Get<V1Service>(host).Spec;
            Assert.Equal(redis.Template.Metadata.Labels["app"], service.Selector["app"]);
            Assert.Contains(service.Ports, p => p.Port == port);
        }

        Assert.Equal("redis", config["storage.mode"]);
    }

    [Fact]
    public async Task The_external_Redis_component_drops_the_in_cluster_Redis_and_points_both_hosts_at_the_secret()
    {
        var site = Directory.CreateTempSubdirectory("aiagent-site-").FullName;
        try
        {
            // A site overlay as docs/deploy.md describes it (kustomize takes only relative paths).
            var k8s = Path.GetRelativePath(site, RepositoryRoot.PathTo("k8s"));
            await File.WriteAllTextAsync(Path.Combine(site, "kustomization.yaml"),
                $"resources:\n  - {k8s}\ncomponents:\n  - {k8s}/components/external-redis\n");

            var manifests = await Manifests.RenderAsync(site);

            Assert.Empty(manifests.All<V1StatefulSet>());
            Assert.DoesNotContain(manifests.All<V1Service>(), s => s.Metadata.Name.StartsWith("redis", StringComparison.Ordinal));
            Assert.DoesNotContain(manifests.All<V1NetworkPolicy>(), p => p.Metadata.Name == "redis-ingress");
            var config = MountedConfiguration.From(manifests);
            foreach (var (deployment, keys) in new[] { ("ai-agent-silo", new[] { "clustering.redis", "storage.redis" }), ("ai-agent-gateway", new[] { "clustering.redis" }) })
            {
                var env = manifests.Container(deployment).Env.ToDictionary(e => e.Name);
                foreach (var key in keys)
                {
                    Assert.True(config.Contains(key), $"{key} is not a key of the mounted configuration");
                    var variable = env["AIAGENT_" + key.Replace(".", "__", StringComparison.Ordinal).ToUpperInvariant()];
                    Assert.Equal("ai-agent-redis", variable.ValueFrom.SecretKeyRef.Name);
                    Assert.Equal("configuration", variable.ValueFrom.SecretKeyRef.Key);
                }
            }
        }
        finally
        {
            Directory.Delete(site, recursive: true);
        }
    }
}
