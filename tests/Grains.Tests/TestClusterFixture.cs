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
          greeting_protection_ms: 60000 # wide, so a loaded machine cannot push "early" speech past it
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

    public async Task InitializeAsync() => Cluster = await DeployAsync(new HostingOptions(), config => AddYaml(config, Yaml));

    /// <summary>
    /// Deploys a one-silo cluster wired like production (storage and streams from <paramref name="hosting"/>, the
    /// call grains bound to the configuration <paramref name="configure"/> builds) with a client that reads streams.
    /// </summary>
    public static async Task<InProcessTestCluster> DeployAsync(HostingOptions hosting, Action<IConfigurationBuilder> configure)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddAgentStorageAndStreams(hosting));
        builder.ConfigureSiloHost((_, host) =>
        {
            configure(host.Configuration);
            host.Services.AddAgentGrains(host.Configuration);
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(CallStreams.ProviderName));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>Adds YAML text as configuration keys, the way the file source flattens the file.</summary>
    public static void AddYaml(IConfigurationBuilder configuration, string yaml)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(yaml));
        configuration.AddInMemoryCollection(YamlConfigurationProvider.Parse(stream));
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<TestClusterFixture>
{
    public const string Name = "cluster";
}
