using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace AiAgent.Gateway.Tests;

/// <summary>One in-process Orleans cluster (memory streams, PubSubStore) with the fake call grain, shared by the gateway tests.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public FakeCallLog Calls { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(Calls);
            silo.AddMemoryGrainStorage(CallStreams.PubSubStore);
            silo.AddMemoryStreams(CallStreams.ProviderName, streams => streams.ConfigurePullingAgent(agent => agent.Configure(o =>
                o.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(10))));
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(CallStreams.ProviderName));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
