using AiAgent.Grains;
using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Silo.Calls;
using AiAgent.Silo.Storage;
using Orleans.Configuration;
using Orleans.Persistence;
using Orleans.Serialization;
using Orleans.Storage;
using StackExchange.Redis;

namespace AiAgent.Silo.Hosting;

/// <summary>The Orleans silo: clustering, storage, streams and grains, from <see cref="HostingOptions"/>.</summary>
public static class AgentSiloExtensions
{
    /// <summary>Hosts an Orleans silo running the call grains.</summary>
    public static WebApplicationBuilder AddAgentSilo(this WebApplicationBuilder builder, HostingOptions hosting)
    {
        builder.UseOrleans(silo => silo.ConfigureAgentSilo(hosting));
        builder.Services.AddAgentGrains(builder.Configuration);
        return builder;
    }

    /// <summary>Configures a silo (also used by test clusters).</summary>
    public static ISiloBuilder ConfigureAgentSilo(this ISiloBuilder silo, HostingOptions hosting)
    {
        var clustering = hosting.Clustering;
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = clustering.ClusterId;
            o.ServiceId = clustering.ServiceId;
        });

        if (!clustering.UsesRedis)
        {
            silo.UseLocalhostClustering(clustering.SiloPort, clustering.GatewayPort);
        }
        else
        {
            silo.ConfigureEndpoints(clustering.SiloPort, clustering.GatewayPort, listenOnAnyHostAddress: true);
            silo.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(clustering.Redis));

            // Grain registrations in Redis, not in the silos' in-memory directory: a call restored after its silo is
            // lost registers at once, while the default directory's partition on the lost silo would hold it until
            // membership declares that silo dead (docs/Architecture.md, "Failover").
            silo.UseRedisGrainDirectoryAsDefault(o => o.ConfigurationOptions = ConfigurationOptions.Parse(clustering.Redis));
            if (clustering.UsesKubernetesHosting && Environment.GetEnvironmentVariable("KUBERNETES_SERVICE_HOST") is not null)
            {
                // Pod hosting (silo names, cluster ids from pod labels, dead-pod cleanup); membership stays on Redis.
                // It throws outside a cluster, hence the guard (docs/decisions.md#kubernetes-hosting).
                silo.UseKubernetesHosting();
            }
        }

        return silo.AddAgentStorageAndStreams(hosting).AddCallDirectory();
    }

    /// <summary>Grain storage (call records, stream subscriptions) and the agent-output streams; clustering aside, so test clusters share it.</summary>
    public static ISiloBuilder AddAgentStorageAndStreams(this ISiloBuilder silo, HostingOptions hosting)
    {
        if (hosting.Storage.Mode == "redis")
        {
            var redis = ConfigurationOptions.Parse(hosting.Storage.Redis);
            silo.AddRedisGrainStorage(CallStorage.Name, o => o.ConfigurationOptions = redis);
            silo.Services.AddOptions<RedisStorageOptions>(CallStorage.Name).Configure<Serializer>(UseOrleansSerializer);
            silo.AddRedisGrainStorage(CallStreams.PubSubStore, o => o.ConfigurationOptions = redis);
        }
        else
        {
            silo.AddMemoryGrainStorage(CallStorage.Name);
            silo.Services.AddOptions<MemoryGrainStorageOptions>(CallStorage.Name).Configure<Serializer>(UseOrleansSerializer);
            silo.AddMemoryGrainStorage(CallStreams.PubSubStore);
        }

        // Call records ride out a storage outage: writes retried in the background, coalesced per call (docs/Architecture.md#redis-outage).
        silo.Services.AddResilientGrainStorage(CallStorage.Name);

        silo.AddAgentOutputStreams(hosting.Streams);
        return silo;
    }

    /// <summary>
    /// Call records are stored with the Orleans serializer: the record types carry [Id]/[Alias], so they survive
    /// renames and moves, where the default Newtonsoft JSON with <c>$type</c> would not (docs/decisions.md#storage-serialization).
    /// </summary>
    private static void UseOrleansSerializer(IStorageProviderSerializerOptions options, Serializer serializer) =>
        options.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);

    /// <summary>
    /// Memory streams for agent audio, tuned as measured in docs/decisions.md (#agent-audio-return-path, #memory-streams): a 10 ms pull period (the 100 ms default adds
    /// ~54 ms) and short cache eviction (the defaults keep every chunk for 30 minutes).
    /// </summary>
    public static ISiloBuilder AddAgentOutputStreams(this ISiloBuilder silo, StreamsOptions streams)
    {
        silo.AddMemoryStreams(CallStreams.ProviderName, b =>
        {
            b.ConfigurePartitioning(streams.Queues);
            b.ConfigurePullingAgent(ob => ob.Configure(o => o.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(streams.PullPeriodMs)));
            b.ConfigureCacheEviction(ob => ob.Configure(o =>
            {
                o.DataMaxAgeInCache = TimeSpan.FromSeconds(streams.CacheMaxAgeSeconds);
                o.DataMinTimeInCache = TimeSpan.FromSeconds(Math.Min(5, streams.CacheMaxAgeSeconds));
            }));
        });
        return silo;
    }
}
