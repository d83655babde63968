using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;
using AiAgent.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace AiAgent.Grains.Tests.Recording;

/// <summary>A one-silo cluster wired as <see cref="TestClusterFixture.DeployAsync"/> does, plus the recording provider on the silo.</summary>
internal static class RecordingCluster
{
    /// <summary>Deploys the cluster with <paramref name="yaml"/> as its configuration.</summary>
    public static async Task<InProcessTestCluster> DeployAsync(string yaml)
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) => silo.AddAgentStorageAndStreams(new HostingOptions()));
        builder.ConfigureSiloHost((_, host) =>
        {
            TestClusterFixture.AddYaml(host.Configuration, yaml);
            host.Services.AddAgentGrains(host.Configuration).AddRecordingProvider();
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(CallStreams.ProviderName));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    /// <summary>The silo's recording provider (to reach the sessions its call grains talk to).</summary>
    public static RecordingProvider ProviderOf(InProcessTestCluster cluster) =>
        cluster.GetSiloServiceProvider(cluster.Silos[0].SiloAddress).GetServices<IAgentProvider>().OfType<RecordingProvider>().Single();
}
