using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;
using StackExchange.Redis;

namespace AiAgent.Silo.Hosting;

/// <summary><c>/health/live</c> (the process answers) and <c>/health/ready</c> (the silo is active and Redis, where configured, answers).</summary>
public static class HealthEndpoints
{
    /// <summary>Registers the readiness checks.</summary>
    public static WebApplicationBuilder AddAgentHealth(this WebApplicationBuilder builder, HostingOptions hosting)
    {
        var checks = builder.Services.AddHealthChecks().AddCheck<SiloActiveHealthCheck>("silo", tags: ["ready"]);
        var redis = hosting.Storage.Mode == "redis" ? hosting.Storage.Redis : hosting.Clustering.Mode != "localhost" ? hosting.Clustering.Redis : null;
        if (redis is not null)
        {
            checks.Add(new HealthCheckRegistration("redis", _ => new RedisHealthCheck(redis), HealthStatus.Unhealthy, ["ready"]));
        }

        return builder;
    }

    /// <summary>Maps the two endpoints.</summary>
    public static WebApplication MapAgentHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") });
        return app;
    }

    private sealed class SiloActiveHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
            return Task.FromResult(status == SiloStatus.Active
                ? HealthCheckResult.Healthy("silo active")
                : HealthCheckResult.Unhealthy($"silo {status}"));
        }
    }

    private sealed class RedisHealthCheck(string configuration) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                var options = ConfigurationOptions.Parse(configuration);
                options.ConnectTimeout = 2000;
                options.AbortOnConnectFail = true;
                await using var connection = await ConnectionMultiplexer.ConnectAsync(options);
                var latency = await connection.GetDatabase().PingAsync();
                return HealthCheckResult.Healthy($"redis ping {latency.TotalMilliseconds:0.0} ms");
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy("redis does not answer");
            }
        }
    }
}
