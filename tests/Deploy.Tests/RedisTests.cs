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
}
