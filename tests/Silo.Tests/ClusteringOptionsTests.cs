using AiAgent.Gateway.Configuration;
using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Silo.Hosting;
using Microsoft.Extensions.Configuration;

namespace AiAgent.Silo.Tests;

/// <summary>The silo and the standalone gateway read <c>clustering</c> with one class and one validator: the same answer for the same file.</summary>
public sealed class ClusteringOptionsTests
{
    [Theory]
    [InlineData("localhost")]
    [InlineData("redis")]
    [InlineData("Redis")]
    [InlineData("KUBERNETES")]
    public void A_mode_in_any_case_is_accepted_by_both_hosts(string mode)
    {
        var configuration = Configuration(mode);

        Assert.Equal(mode, HostingOptions.Load(configuration).Clustering.Mode);
        Assert.Empty(GatewayConfigurationValidator.Validate(configuration));
    }

    [Theory]
    [InlineData("Redis", true, false)]
    [InlineData("kubernetes", true, true)]
    [InlineData("LocalHost", false, false)]
    public void The_mode_decides_ignoring_case(string mode, bool redis, bool kubernetes)
    {
        var options = new ClusteringOptions { Mode = mode };
        Assert.Equal((redis, kubernetes), (options.UsesRedis, options.UsesKubernetesHosting));
    }

    [Fact]
    public void An_unknown_mode_is_rejected_by_both_hosts_with_the_same_error()
    {
        var configuration = Configuration("consul");
        const string error = "clustering.mode: 'consul' is not valid; allowed values: localhost, redis, kubernetes";

        Assert.Contains(error, Assert.Throws<InvalidConfigurationException>(() => HostingOptions.Load(configuration)).Message, StringComparison.Ordinal);
        Assert.Contains(error, GatewayConfigurationValidator.Validate(configuration));
    }

    [Fact]
    public void Redis_modes_need_a_redis_string_in_both_hosts()
    {
        var configuration = Configuration("redis", redis: "");
        const string error = "clustering.redis: a Redis configuration string (e.g. localhost:6379) is required when clustering.mode is 'redis'";

        Assert.Contains(error, Assert.Throws<InvalidConfigurationException>(() => HostingOptions.Load(configuration)).Message, StringComparison.Ordinal);
        Assert.Contains(error, GatewayConfigurationValidator.Validate(configuration));
    }

    private static IConfiguration Configuration(string mode, string redis = "localhost:6379") =>
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["clustering:mode"] = mode,
            ["clustering:redis"] = redis,
        }).Build();
}
