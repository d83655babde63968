namespace AiAgent.EndToEnd.Tests;

/// <summary>
/// The platform as a user starts it (<c>dotnet AiAgent.Silo.dll --config FILE</c>, gateway co-hosted), on free
/// ports, with its log captured. Stopped with SIGTERM, as Kubernetes and Ctrl+C do.
/// </summary>
public sealed class PlatformProcess : HostProcess
{
    private PlatformProcess(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string>? environment, string configPath, int audioSocketPort, int httpPort, int orleansGatewayPort)
        : base(Dotnet(arguments, environment))
    {
        ConfigPath = configPath;
        AudioSocketPort = audioSocketPort;
        HttpPort = httpPort;
        OrleansGatewayPort = orleansGatewayPort;
    }

    public string ConfigPath { get; }

    public int AudioSocketPort { get; }

    public int HttpPort { get; }

    /// <summary>The silo's Orleans gateway port: where a standalone gateway's Orleans client connects.</summary>
    public int OrleansGatewayPort { get; }

    /// <summary>Starts the platform on <paramref name="yaml"/> and waits until it is ready.</summary>
    public static Task<PlatformProcess> StartAsync(string yaml, IReadOnlyDictionary<string, string>? environment = null) =>
        StartOnFreePortsAsync(() => Launch(yaml, environment), p => $"http://127.0.0.1:{p.HttpPort}/health/ready");

    /// <summary>
    /// Launches the platform without waiting for it; <paramref name="settings"/> come after the free ports' arguments,
    /// so one given there wins.
    /// </summary>
    public static PlatformProcess Launch(string yaml, IReadOnlyDictionary<string, string>? environment = null, params string[] settings)
    {
        var directory = Directory.CreateTempSubdirectory("aiagent-e2e-").FullName;
        var configPath = Path.Combine(directory, "ai-agent.yaml");
        File.WriteAllText(configPath, yaml);
        int audioSocket = FreePort(), http = FreePort(), silo = FreePort(), orleansGateway = FreePort();
        string[] arguments =
        [
            AssemblyPath("Silo", "AiAgent.Silo.dll"), "--config", configPath,
            $"--audiosocket:port={audioSocket}", "--audiosocket:host=127.0.0.1", $"--silo:http_port={http}",
            $"--clustering:silo_port={silo}", $"--clustering:gateway_port={orleansGateway}", .. settings,
        ];
        return new PlatformProcess(arguments, environment, configPath, audioSocket, http, orleansGateway);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(ConfigPath)!, recursive: true);
    }
}
