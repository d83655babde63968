using System.Globalization;
using AiAgent.Failover.Processes;
using Microsoft.Extensions.Logging;

namespace AiAgent.Failover.Platform;

/// <summary>
/// One platform process (a silo or the standalone gateway) with fixed ports, so a restart comes back where it was:
/// started from the Release build with the config file and command-line overrides, ready when its
/// <c>/health/ready</c> answers.
/// </summary>
internal sealed class PlatformNode : IAsyncDisposable
{
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(120);

    private readonly PlatformLayout _layout;
    private readonly string _dll;
    private readonly IReadOnlyList<string> _arguments;
    private readonly ILogger _logger;
    private ChildProcess? _process;

    private PlatformNode(string name, PlatformLayout layout, string dll, IReadOnlyList<string> arguments, int httpPort, ILogger logger)
    {
        Name = name;
        _layout = layout;
        _dll = dll;
        _arguments = arguments;
        HttpPort = httpPort;
        _logger = logger;
    }

    /// <summary><c>silo1</c>, <c>silo2</c> ..., or <c>gateway</c>.</summary>
    public string Name { get; }

    /// <summary>1 for the first silo (or gateway, when there are several); 0 for a single gateway.</summary>
    public int Index { get; private init; }

    /// <summary>The silo-to-silo port (<c>clustering.silo_port</c>), what Orleans names a silo by; 0 for the gateway.</summary>
    public int SiloPort { get; private init; }

    /// <summary>The AudioSocket port (gateway only).</summary>
    public int AudioSocketPort { get; private init; }

    /// <summary>Health (and for a silo the call API) port.</summary>
    public int HttpPort { get; }

    /// <summary>Base URL of its HTTP endpoint.</summary>
    public Uri HttpBase => new($"http://127.0.0.1:{HttpPort}/");

    /// <summary>True while its process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The current process.</summary>
    public ChildProcess Process => _process ?? throw new InvalidOperationException($"{Name} has not been started");

    /// <summary>Silo <paramref name="index"/>: clustering and storage in Redis, no co-hosted gateway, its own ports.</summary>
    public static PlatformNode Silo(int index, PlatformLayout layout, string redis, FreePorts ports, ILogger logger)
    {
        int silo = ports.Next(), gateway = ports.Next(), http = ports.Next();
        string[] arguments =
        [
            .. layout.ClusterArguments(redis),
            "--storage:mode=redis", $"--storage:redis={redis}",
            "--gateway:enabled=false",
            Port("clustering:silo_port", silo), Port("clustering:gateway_port", gateway), Port("silo:http_port", http),
            .. layout.SiloArguments,
        ];
        return new PlatformNode($"silo{index}", layout, layout.SiloDll, arguments, http, logger) { Index = index, SiloPort = silo };
    }

    /// <summary>
    /// A standalone AudioSocket gateway, an Orleans client of the silos through Redis membership: <c>gateway</c> when it
    /// is the only one (<paramref name="index"/> 0), else <c>gateway1</c>, <c>gateway2</c> … with <c>gateway.id</c>
    /// <c>gateway-N</c>.
    /// </summary>
    public static PlatformNode Gateway(PlatformLayout layout, string redis, FreePorts ports, ILogger logger, int index = 0)
    {
        int audioSocket = ports.Next(), http = ports.Next();
        string[] arguments =
        [
            .. layout.ClusterArguments(redis),
            "--audiosocket:host=127.0.0.1", Port("audiosocket:port", audioSocket), Port("gateway:http_port", http),
            index == 0 ? "--gateway:id=failover-gateway" : string.Create(CultureInfo.InvariantCulture, $"--gateway:id=gateway-{index}"),
            .. layout.GatewayArguments,
        ];
        var name = index == 0 ? "gateway" : string.Create(CultureInfo.InvariantCulture, $"gateway{index}");
        return new PlatformNode(name, layout, layout.GatewayDll, arguments, http, logger) { Index = index, AudioSocketPort = audioSocket };
    }

    /// <summary>Starts the process (not waiting); a restart continues the same log file.</summary>
    public async Task LaunchAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }

        _process = ChildProcess.Start(Name, "dotnet", [_dll, .. _arguments], _layout.LogPath(Name), _layout.OutputDirectory, _logger);
    }

    /// <summary>Waits until <c>/health/ready</c> answers 2xx.</summary>
    public async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        await Readiness.WaitForHttpAsync(Process, new Uri(HttpBase, "health/ready"), s_readyTimeout, cancellationToken).ConfigureAwait(false);
        Log.ProcessReady(_logger, Name, Process.Age.TotalSeconds);
    }

    /// <summary>Starts it and waits until it is ready.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await LaunchAsync().ConfigureAwait(false);
        await WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static string Port(string key, int port) => string.Create(CultureInfo.InvariantCulture, $"--{key}={port}");
}
