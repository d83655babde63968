using System.Net;
using System.Net.Sockets;
using AiAgent.Emulators.Deepgram;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace AiAgent.Silo.Tests;

/// <summary>
/// The real silo host (<see cref="SiloHost.Build"/>, exactly as <c>Program</c> builds it, with its co-hosted AudioSocket
/// gateway) started in-process from a test YAML file on free loopback ports, with the local provider tuned for quick turns.
/// </summary>
/// <remarks>
/// A second host, bound to 0.0.0.0 with an API token, lives as long as the first: both are disposed only at the end.
/// OpenTelemetry selects meters by name, so each host's exporter also listens to the other host's identically named
/// meters, and disposing one host's meter mid-run would make the other's exporter drop those instruments.
/// </remarks>
public sealed class SiloHostFixture : IAsyncLifetime
{
    /// <summary>The token of the second host.</summary>
    public const string Token = "test-token-0123456789abcdef";

    /// <summary>The environment variable holding the Deepgram emulator's key (the config's <c>providers.deepgram.api_key_env</c>).</summary>
    public const string DeepgramKeyVariable = "SILO_TESTS_DEEPGRAM_KEY";

    private readonly List<IAsyncDisposable> _keptUntilEnd = [];

    private WebApplication _tokenApp = null!;

    public WebApplication App { get; private set; } = null!;

    /// <summary>A client of the host bound beyond loopback, which requires <see cref="Token"/> (redirects not followed).</summary>
    public HttpClient TokenHttp { get; private set; } = null!;

    public IClusterClient Client => App.Services.GetRequiredService<IClusterClient>();

    public HttpClient Http { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The co-hosted gateway's AudioSocket port (CallSim calls it).</summary>
    public int AudioSocketPort { get; private set; }

    /// <summary>The first host's config file (watched: a test may switch <c>default_provider</c> and must switch it back).</summary>
    public string ConfigPath { get; private set; } = null!;

    /// <summary>The Deepgram emulator that <c>providers.deepgram</c> of the first host points at.</summary>
    public DeepgramEmulator Deepgram { get; private set; } = null!;

    /// <summary>
    /// Keeps a host a test built until this fixture ends: disposing it mid-run disposes its identically named meters,
    /// and the fixture's exporter then drops those instruments (seen as a gateway gauge that stays at 0).
    /// </summary>
    public T KeepUntilEnd<T>(T host) where T : IAsyncDisposable
    {
        lock (_keptUntilEnd)
        {
            _keptUntilEnd.Add(host);
        }

        return host;
    }

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(DeepgramKeyVariable, "emulator-key");
        Deepgram = await DeepgramEmulator.StartAsync(new DeepgramEmulatorOptions { ApiKey = "emulator-key" });
        ConfigPath = TestSilo.WriteConfig("127.0.0.1", out var port, out var audioSocketPort, Deepgram.BaseUrl);
        var app = SiloHost.Build(["--config", ConfigPath]);
        await app.StartAsync();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        App = app;
        BaseAddress = baseAddress;
        AudioSocketPort = audioSocketPort;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        (_tokenApp, var tokenAddress, _) = await TestSilo.StartAsync("0.0.0.0", $"--{Operators.OperatorAccess.TokenVariable}={Token}");
        TokenHttp = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = tokenAddress, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        TokenHttp.Dispose();
        await Task.WhenAll(App.StopAsync(), _tokenApp.StopAsync());
        await App.DisposeAsync();
        await _tokenApp.DisposeAsync();
        foreach (var host in _keptUntilEnd)
        {
            await host.DisposeAsync();
        }

        await Deepgram.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class SiloCollection : ICollectionFixture<SiloHostFixture>
{
    public const string Name = "silo";
}

/// <summary>Writes a test config and builds/starts silo hosts from it.</summary>
public static class TestSilo
{
    /// <summary>The test YAML: every port free, a cluster of its own, quick local-provider turns.</summary>
    public static string WriteConfig(string httpHost, out int httpPort, out int audioSocketPort, string? deepgramBaseUrl = null)
    {
        var deepgram = deepgramBaseUrl is null ? string.Empty : $"""

              deepgram:
                api_key_env: {SiloHostFixture.DeepgramKeyVariable}
                base_url: {deepgramBaseUrl}
            """;
        httpPort = FreePort();
        audioSocketPort = FreePort();
        var yaml = $"""
            default_provider: local
            audiosocket:
              host: 127.0.0.1
              port: {audioSocketPort}
            gateway:
              enabled: true
            barge_in:
              enabled: true
              greeting_protection_ms: 1500
              echo_guard_ms: 300
            providers:
              local:
                greeting: true
                silence_ms: 400
                min_speech_ms: 100
                chunk_ms: 200{deepgram}
            silo:
              http_host: {httpHost}
              http_port: {httpPort}
            clustering:
              mode: localhost
              cluster_id: silo-tests-{Guid.NewGuid():N}
              silo_port: {FreePort()}
              gateway_port: {FreePort()}
            telemetry:
              runtime_metrics: false
            Logging:
              LogLevel:
                Default: Warning
            """;
        var path = Path.Combine(Path.GetTempPath(), $"aiagent-silo-tests-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, yaml);
        return path;
    }

    /// <summary>Builds and starts a silo host (with its co-hosted gateway) bound to <paramref name="httpHost"/>.</summary>
    public static async Task<(WebApplication App, Uri BaseAddress, int AudioSocketPort)> StartAsync(string httpHost, params string[] extraArgs)
    {
        var config = WriteConfig(httpHost, out var port, out var audioSocketPort);
        var app = SiloHost.Build(["--config", config, .. extraArgs]);
        await app.StartAsync();
        return (app, new Uri($"http://127.0.0.1:{port}"), audioSocketPort);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
