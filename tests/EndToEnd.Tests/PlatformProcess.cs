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

    public static async Task<PlatformProcess> StartAsync(string yaml, IReadOnlyDictionary<string, string>? environment = null)
    {
        var directory = Directory.CreateTempSubdirectory("aiagent-e2e-").FullName;
        var configPath = Path.Combine(directory, "ai-agent.yaml");
        await File.WriteAllTextAsync(configPath, yaml);
        int audioSocket = FreePort(), http = FreePort(), silo = FreePort(), orleansGateway = FreePort();
        string[] arguments =
        [
            AssemblyPath("Silo", "AiAgent.Silo.dll"), "--config", configPath,
            $"--audiosocket:port={audioSocket}", "--audiosocket:host=127.0.0.1", $"--silo:http_port={http}",
            $"--clustering:silo_port={silo}", $"--clustering:gateway_port={orleansGateway}",
        ];
        var platform = new PlatformProcess(arguments, environment, configPath, audioSocket, http, orleansGateway);
        await platform.WaitUntilReadyAsync($"http://127.0.0.1:{http}/health/ready");
        return platform;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(ConfigPath)!, recursive: true);
    }
}
