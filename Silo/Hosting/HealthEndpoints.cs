using AiAgent.Gateway.Hosting;
using AiAgent.Silo.Storage;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;
using StackExchange.Redis;

namespace AiAgent.Silo.Hosting;

/// <summary>
/// The silo's readiness checks behind <c>/health/ready</c> (mapped by <see cref="AgentHostDefaults"/>): the silo is active
/// (else Unhealthy); Redis, where configured, answers and no call-record write waits for storage (else Degraded: still
/// HTTP 200, with the reason in the body).
/// </summary>
public static class HealthEndpoints
{
    /// <summary>Registers the readiness checks.</summary>
    public static WebApplicationBuilder AddAgentHealth(this WebApplicationBuilder builder, HostingOptions hosting)
    {
        var checks = builder.Services.AddHealthChecks()
            .AddCheck<SiloActiveHealthCheck>("silo", tags: [AgentHostDefaults.ReadyTag])
            .AddCheck<CallRecordStorageHealthCheck>("call-records", HealthStatus.Degraded, [AgentHostDefaults.ReadyTag]);
        var redis = hosting.Storage.Mode == "redis" ? hosting.Storage.Redis : hosting.Clustering.UsesRedis ? hosting.Clustering.Redis : null;
        if (redis is not null)
        {
            checks.Add(new HealthCheckRegistration("redis", _ => new RedisHealthCheck(redis), HealthStatus.Degraded, [AgentHostDefaults.ReadyTag]));
        }

        return builder;
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

    /// <summary>
    /// Degraded, not Unhealthy, while call-record writes wait for storage: live calls keep talking and the records land
    /// when storage answers again (docs/Architecture.md#redis-outage). Also Degraded for a while after a write was given up.
    /// </summary>
    internal sealed class CallRecordStorageHealthCheck(RecordStorageStatus status, IOptions<RecordStorageOptions> options, TimeProvider time) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var now = time.GetUtcNow();
            var current = status.Snapshot();
            if (current.Waiting > 0)
            {
                var since = now - (current.WaitingSince ?? now);
                return Task.FromResult(HealthCheckResult.Degraded(
                    $"call record storage degraded: {current.Waiting} record writes waiting for storage for {since.TotalSeconds:0} s (last error {current.LastError}); live calls go on, the records land when storage answers"));
            }

            if (current.LastGiveUp is { } gaveUp && now - gaveUp < options.Value.GiveUpReported)
            {
                return Task.FromResult(HealthCheckResult.Degraded(
                    $"call record storage degraded: {current.GivenUp} record writes given up since start, the last {(now - gaveUp).TotalSeconds:0} s ago"));
            }

            return Task.FromResult(HealthCheckResult.Healthy($"call records: every write landed ({current.Pending} in flight)"));
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
                // Degraded, not Unhealthy: every silo shares this Redis, so taking one out of service helps no call, and the
                // live calls it holds keep talking (docs/Architecture.md#redis-outage).
                return HealthCheckResult.Degraded("redis does not answer: live calls go on and their records wait in the silo; new calls and cluster membership changes wait for Redis");
            }
        }
    }
}
