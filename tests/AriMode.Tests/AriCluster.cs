using AiAgent.Emulators.Ari;
using AiAgent.Grains;
using AiAgent.Grains.Asterisk;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.TestingHost;

namespace AiAgent.AriMode.Tests;

/// <summary>The ARI emulator, a stand-in gateway, and a TestingHost cluster whose silos each run the ARI connection service.</summary>
internal sealed class AriCluster : IAsyncDisposable
{
    private const string PasswordVariable = "AIAGENT_ARIMODE_TEST_PASSWORD";

    private AriCluster(AriEmulator emulator, StandInGateway gateway, InProcessTestCluster cluster, IReadOnlyList<RealGateway> realGateways, IReadOnlyList<CuttableProxy> proxies, IReadOnlyList<string> externalHosts, CapturingLoggerProvider logs)
    {
        Emulator = emulator;
        Gateway = gateway;
        Cluster = cluster;
        RealGateways = realGateways;
        Proxies = proxies;
        ExternalHosts = externalHosts;
        Logs = logs;
    }

    public const string App = "aiagent";

    public AriEmulator Emulator { get; }

    public StandInGateway Gateway { get; }

    public InProcessTestCluster Cluster { get; }

    /// <summary>Real gateways on the cluster's client (none: the stand-in takes the media legs).</summary>
    public IReadOnlyList<RealGateway> RealGateways { get; }

    /// <summary>With <c>proxied</c>: one relay in front of each real gateway, at the same index.</summary>
    public IReadOnlyList<CuttableProxy> Proxies { get; }

    /// <summary>Everything the silos and the real gateways logged.</summary>
    public CapturingLoggerProvider Logs { get; }

    /// <summary><c>asterisk.ari.external_host</c> as configured, in order.</summary>
    public IReadOnlyList<string> ExternalHosts { get; }

    public string EndpointKey => Emulator.BaseUrl.TrimEnd('/') + "|" + App;

    /// <param name="silos">TestingHost silos, each running the ARI connection service.</param>
    /// <param name="realGateways">Real gateways co-hosted on the cluster's client; 0: the stand-in gateway.</param>
    /// <param name="proxied">
    /// Put a <see cref="CuttableProxy"/> in front of each real gateway. Their caller gap fill is off: a gateway cut off
    /// by <see cref="CuttableProxy.KillAsync"/> then sends its call nothing, as a dead one does (with the fill on it would
    /// keep supplying silence for a caller it no longer has).
    /// </param>
    /// <param name="extraHosts">Addresses after the gateways in <c>external_host</c> (<see cref="UnreachableHost"/>, …).</param>
    public static async Task<AriCluster> StartAsync(int silos, int realGateways = 0, bool proxied = false, IReadOnlyList<string>? extraHosts = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var emulator = await AriEmulator.StartAsync(new AriEmulatorOptions());
        var gateway = new StandInGateway();
        var realPorts = Enumerable.Range(0, realGateways).Select(_ => RealGateway.FreePort()).ToArray();
        var proxies = proxied ? realPorts.Select(port => new CuttableProxy(port)).ToArray() : [];
        IEnumerable<string> gatewayHosts = realGateways == 0
            ? [gateway.HostPort]
            : proxied ? proxies.Select(p => p.HostPort) : realPorts.Select(port => $"127.0.0.1:{port}");
        string[] hosts = [.. gatewayHosts, .. extraHosts ?? []];
        Environment.SetEnvironmentVariable(PasswordVariable, emulator.Options.Password);
        var keys = new Dictionary<string, string?>
        {
            ["default_provider"] = "local",
            ["asterisk:mode"] = "ari",
            ["asterisk:ari:url"] = emulator.BaseUrl,
            ["asterisk:ari:app"] = App,
            ["asterisk:ari:username"] = emulator.Options.UserName,
            ["asterisk:ari:password_env"] = PasswordVariable,
            ["asterisk:ari:external_host"] = string.Join(',', hosts),
            ["providers:local:greeting"] = "true",
            ["asterisk:ari:format"] = "slin16",
            ["asterisk:ari:transfer_context"] = "aiagent-transfer",
            // One destination mapped to its own dialplan target; any other name continues into transfer_context.
            ["transfer:destinations:0:name"] = "support",
            ["transfer:destinations:0:description"] = "Technical support.",
            ["transfer:destinations:0:context"] = "from-internal",
            ["transfer:destinations:0:extension"] = "700",
            ["transfer:destinations:0:priority"] = "2",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            keys[key] = value; // a test's own settings win over the defaults above
        }

        var logs = new CapturingLoggerProvider();
        var builder = new InProcessTestClusterBuilder((short)silos);
        builder.ConfigureSilo((_, silo) => silo.AddAgentStorageAndStreams(new HostingOptions()));
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Configuration.AddInMemoryCollection(keys);
            host.Logging.AddProvider(logs);
            host.Services.AddAgentGrains(host.Configuration);
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(CallStreams.ProviderName));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        var real = new List<RealGateway>();
        for (var i = 0; i < realPorts.Length; i++)
        {
            real.Add(await RealGateway.StartAsync(cluster.Client, realPorts[i], $"ari-test-gateway-{i}", logs, callerGapFill: !proxied));
        }

        return new AriCluster(emulator, gateway, cluster, real, proxies, hosts, logs);
    }

    /// <summary>A loopback address where nothing listens: a dial to it is refused at once.</summary>
    public static string UnreachableHost() => $"127.0.0.1:{RealGateway.FreePort()}";

    /// <summary>The index in <see cref="ExternalHosts"/> an external-media channel dialled (its name is <c>AudioSocket/HOST:PORT-UUID</c>).</summary>
    public int HostIndexOf(AriEmulatorChannelInfo media) =>
        ExternalHosts.ToList().FindIndex(host => media.Name.StartsWith($"AudioSocket/{host}-", StringComparison.Ordinal));

    /// <summary>The external-media channels of <paramref name="callId"/> the emulator holds now.</summary>
    public IReadOnlyList<AriEmulatorChannelInfo> MediaLegsOf(Guid callId) =>
        [.. Emulator.Channels.Where(c => c.ExternalMediaData == callId)];

    /// <summary>The connection service of each running silo.</summary>
    public IEnumerable<AriConnectionService> Services =>
        Cluster.Silos.Select(s => s.ServiceProvider.GetRequiredService<AriConnectionService>());

    public Guid CallIdOf(AriEmulatorCall call) => AriCallId.For(EndpointKey, call.ChannelId);

    /// <summary>No channel and no bridge left on the emulator.</summary>
    public bool NothingLeft => Emulator.Channels.Count == 0 && Emulator.Bridges.Count == 0;

    public async ValueTask DisposeAsync()
    {
        foreach (var real in RealGateways)
        {
            await real.DisposeAsync();
        }

        foreach (var proxy in Proxies)
        {
            await proxy.DisposeAsync();
        }

        await Cluster.DisposeAsync();
        await Gateway.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
