using AiAgent.Failover.Processes;
using Microsoft.Extensions.Logging;

namespace AiAgent.Failover.Platform;

/// <summary>Redis, N silos and one standalone gateway, each its own process, started for one run and stopped after it.</summary>
internal sealed class FailoverCluster : IAsyncDisposable
{
    private FailoverCluster(RedisServer redis, IReadOnlyList<PlatformNode> silos, PlatformNode gateway)
    {
        Redis = redis;
        Silos = silos;
        Gateway = gateway;
    }

    /// <summary>The Redis server (membership, call records, stream subscriptions).</summary>
    public RedisServer Redis { get; }

    /// <summary>The silos, silo1 first.</summary>
    public IReadOnlyList<PlatformNode> Silos { get; }

    /// <summary>The AudioSocket gateway the calls connect to.</summary>
    public PlatformNode Gateway { get; }

    /// <summary>Starts Redis, then every silo at once, then the gateway, each waited on until ready.</summary>
    public static async Task<FailoverCluster> StartAsync(PlatformLayout layout, int silos, ILogger logger, CancellationToken cancellationToken)
    {
        var ports = new FreePorts();
        var redis = new RedisServer(layout, ports.Next(), logger);
        var nodes = Enumerable.Range(1, silos).Select(i => PlatformNode.Silo(i, layout, redis.ConnectionString, ports, logger)).ToArray();
        var gateway = PlatformNode.Gateway(layout, redis.ConnectionString, ports, logger);
        var cluster = new FailoverCluster(redis, nodes, gateway);
        try
        {
            await redis.StartAsync(cancellationToken).ConfigureAwait(false);
            foreach (var silo in nodes)
            {
                await silo.LaunchAsync().ConfigureAwait(false);
            }

            await Task.WhenAll(nodes.Select(s => s.WaitUntilReadyAsync(cancellationToken))).ConfigureAwait(false);
            await gateway.StartAsync(cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The silo whose silo-to-silo port is <paramref name="siloPort"/>, if it is one of ours.</summary>
    public PlatformNode? SiloByPort(int siloPort) => Silos.FirstOrDefault(s => s.SiloPort == siloPort);

    /// <summary>Gateway first (no new calls), then the silos together, then Redis.</summary>
    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(Silos.Select(static s => s.DisposeAsync().AsTask())).ConfigureAwait(false);
        await Redis.DisposeAsync().ConfigureAwait(false);
    }
}
