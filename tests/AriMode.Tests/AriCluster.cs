using AiAgent.Emulators.Ari;
using AiAgent.Grains;
using AiAgent.Grains.Asterisk;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace AiAgent.AriMode.Tests;

/// <summary>The ARI emulator, a stand-in gateway, and a TestingHost cluster whose silos each run the ARI connection service.</summary>
internal sealed class AriCluster : IAsyncDisposable
{
    private const string PasswordVariable = "AIAGENT_ARIMODE_TEST_PASSWORD";

    private AriCluster(AriEmulator emulator, StandInGateway gateway, InProcessTestCluster cluster, RealGateway? realGateway = null)
    {
        _realGateway = realGateway;
        Emulator = emulator;
        Gateway = gateway;
        Cluster = cluster;
    }

    public const string App = "aiagent";

    private readonly RealGateway? _realGateway;

    public AriEmulator Emulator { get; }

    public StandInGateway Gateway { get; }

    public InProcessTestCluster Cluster { get; }

    public string EndpointKey => Emulator.BaseUrl.TrimEnd('/') + "|" + App;

    public static async Task<AriCluster> StartAsync(int silos, bool realGateway = false)
    {
        var emulator = await AriEmulator.StartAsync(new AriEmulatorOptions());
        var gateway = new StandInGateway();
        var realPort = realGateway ? RealGateway.FreePort() : 0;
        Environment.SetEnvironmentVariable(PasswordVariable, emulator.Options.Password);
        var keys = new Dictionary<string, string?>
        {
            ["default_provider"] = "local",
            ["asterisk:mode"] = "ari",
            ["asterisk:ari:url"] = emulator.BaseUrl,
            ["asterisk:ari:app"] = App,
            ["asterisk:ari:username"] = emulator.Options.UserName,
            ["asterisk:ari:password_env"] = PasswordVariable,
            ["asterisk:ari:external_host"] = realGateway ? $"127.0.0.1:{realPort}" : gateway.HostPort,
            ["providers:local:greeting"] = "true",
            ["asterisk:ari:format"] = "slin16",
            ["asterisk:ari:transfer_context"] = "aiagent-transfer",
        };
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, silo) => silo.AddAgentStorageAndStreams(new HostingOptions()));
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(keys);
            host.Services.AddAgentGrains(host.Configuration);
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(CallStreams.ProviderName));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        var real = realGateway ? await RealGateway.StartAsync(cluster.Client, realPort) : null;
        return new AriCluster(emulator, gateway, cluster, real);
    }

    /// <summary>The connection service of each running silo.</summary>
    public IEnumerable<AriConnectionService> Services =>
        Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<AriConnectionService>());

    public Guid CallIdOf(AriEmulatorCall call) => AriCallId.For(EndpointKey, call.ChannelId);

    /// <summary>No channel and no bridge left on the emulator.</summary>
    public bool NothingLeft => Emulator.Channels.Count == 0 && Emulator.Bridges.Count == 0;

    public async ValueTask DisposeAsync()
    {
        if (_realGateway is not null)
        {
            await _realGateway.DisposeAsync();
        }

        await Cluster.DisposeAsync();
        await Gateway.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
