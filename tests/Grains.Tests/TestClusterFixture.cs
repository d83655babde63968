using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace AiAgent.Grains.Tests;

/// <summary>An in-process Orleans cluster wired like production (storage, memory streams, grains, local provider).</summary>
public sealed class TestClusterFixture : IAsyncLifetime
{
    /// <summary>The YAML every silo in this fixture reads: the local provider with quick turns.</summary>
    public const string Yaml = """
        default_provider: local
        barge_in:
          enabled: true
          greeting_protection_ms: 1500
          echo_guard_ms: 300
        providers:
          local:
            greeting: true
            silence_ms: 400
            min_speech_ms: 100
            chunk_ms: 200
        """;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddAgentStorageAndStreams(new HostingOptions()));
        builder.ConfigureSiloHost((_, host) =>
        {
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(Yaml));
            host.Configuration.AddInMemoryCollection(YamlConfigurationProvider.Parse(stream));
            host.Services.AddAgentGrains(host.Configuration);
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(CallStreams.ProviderName));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<TestClusterFixture>
{
    public const string Name = "cluster";
}
