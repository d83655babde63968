using AiAgent.Failover.Processes;
using Microsoft.Extensions.Logging;

namespace AiAgent.Failover.Platform;

/// <summary>Redis, N silos and one or more standalone gateways, each its own process, started for one run and stopped after it.</summary>
internal sealed class FailoverCluster : IAsyncDisposable
{
    private FailoverCluster(RedisServer redis, IReadOnlyList<PlatformNode> silos, IReadOnlyList<PlatformNode> gateways)
    {
        Redis = redis;
        Silos = silos;
        Gateways = gateways;
    }

    /// <summary>The Redis server (membership, call records, stream subscriptions).</summary>
    public RedisServer Redis { get; }

    /// <summary>The silos, silo1 first.</summary>
    public IReadOnlyList<PlatformNode> Silos { get; }

    /// <summary>The (first) AudioSocket gateway the calls connect to.</summary>
    public PlatformNode Gateway => Gateways[0];

    /// <summary>Every gateway, gateway1 first.</summary>
    public IReadOnlyList<PlatformNode> Gateways { get; }

    /// <summary>Starts Redis, then every silo at once, then the gateways at once, each waited on until ready.</summary>
    /// <param name="layout">Binaries, config and folders.</param>
    /// <param name="silos">How many silos.</param>
    /// <param name="logger">The harness's log.</param>
    /// <param name="cancellationToken">Stops the start.</param>
    /// <param name="gateways">How many gateways (one is called <c>gateway</c>; several <c>gateway1</c> …).</param>
    /// <param name="siloArgumentsFor">Extra silo arguments that name the gateways (ARI mode's <c>external_host</c>).</param>
    public static async Task<FailoverCluster> StartAsync(
        PlatformLayout layout,
        int silos,
        ILogger logger,
        CancellationToken cancellationToken,
        int gateways = 1,
        Func<IReadOnlyList<PlatformNode>, IEnumerable<string>>? siloArgumentsFor = null)
    {
        var ports = new FreePorts();
        var redis = new RedisServer(layout, ports.Next(), logger);
        var gatewayNodes = Enumerable.Range(gateways == 1 ? 0 : 1, gateways)
            .Select(i => PlatformNode.Gateway(layout, redis.ConnectionString, ports, logger, i)).ToArray();
        var siloLayout = siloArgumentsFor is null ? layout : layout with { SiloArguments = [.. layout.SiloArguments, .. siloArgumentsFor(gatewayNodes)] };
        var nodes = Enumerable.Range(1, silos).Select(i => PlatformNode.Silo(i, siloLayout, redis.ConnectionString, ports, logger)).ToArray();
        var cluster = new FailoverCluster(redis, nodes, gatewayNodes);
        try
        {
            await redis.StartAsync(cancellationToken).ConfigureAwait(false);
            foreach (var silo in nodes)
            {
                await silo.LaunchAsync().ConfigureAwait(false);
            }

            await Task.WhenAll(nodes.Select(s => s.WaitUntilReadyAsync(cancellationToken))).ConfigureAwait(false);
            await Task.WhenAll(gatewayNodes.Select(g => g.StartAsync(cancellationToken))).ConfigureAwait(false);
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

    /// <summary>Gateways first (no new calls), then the silos together, then Redis.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(Gateways.Select(static g => g.DisposeAsync().AsTask())).ConfigureAwait(false);
        await Task.WhenAll(Silos.Select(static s => s.DisposeAsync().AsTask())).ConfigureAwait(false);
        await Redis.DisposeAsync().ConfigureAwait(false);
    }
}
