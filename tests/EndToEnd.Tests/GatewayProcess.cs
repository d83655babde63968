namespace AiAgent.EndToEnd.Tests;

/// <summary>
/// A standalone gateway as a user starts it (<c>dotnet AiAgent.Gateway.dll --config FILE</c>): AudioSocket and health
/// on free ports, an Orleans client of <paramref name="platform"/>'s silo (localhost clustering).
/// </summary>
public sealed class GatewayProcess : HostProcess
{
    private GatewayProcess(IReadOnlyList<string> arguments, string id, int audioSocketPort, int httpPort)
        : base(Dotnet(arguments))
    {
        Id = id;
        AudioSocketPort = audioSocketPort;
        HttpPort = httpPort;
    }

    /// <summary><c>gateway.id</c>, as call records and logs name it.</summary>
    public string Id { get; }

    public int AudioSocketPort { get; }

    /// <summary>Health (<c>/health/ready</c>) and metrics.</summary>
    public int HttpPort { get; }

    public static Task<GatewayProcess> StartAsync(PlatformProcess platform, string id, params string[] settings) =>
        StartOnFreePortsAsync(() => Launch(platform, id, settings), g => $"http://127.0.0.1:{g.HttpPort}/health/ready");

    private static GatewayProcess Launch(PlatformProcess platform, string id, string[] settings)
    {
        int audioSocket = FreePort(), http = FreePort();
        string[] arguments =
        [
            AssemblyPath("Gateway", "AiAgent.Gateway.dll"), "--config", platform.ConfigPath,
            $"--audiosocket:port={audioSocket}", "--audiosocket:host=127.0.0.1", $"--gateway:http_port={http}",
            $"--gateway:id={id}", $"--clustering:gateway_port={platform.OrleansGatewayPort}", .. settings,
        ];
        return new GatewayProcess(arguments, id, audioSocket, http);
    }
}
