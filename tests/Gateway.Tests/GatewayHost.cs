using System.Net;
using AiAgent.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiAgent.Gateway.Tests;

/// <summary>The real gateway (Kestrel, AudioSocket on 127.0.0.1 port 0) using the test cluster's client.</summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, IPEndPoint endPoint)
    {
        _app = app;
        EndPoint = endPoint;
    }

    public IPEndPoint EndPoint { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>The HTTP (health) base address when started with <c>withHttp</c>.</summary>
    public Uri? HttpAddress { get; private init; }

    public static async Task<GatewayHost> StartAsync(
        ClusterFixture fixture, IDictionary<string, string?>? settings = null, bool withHttp = false, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var all = new Dictionary<string, string?>
        {
            ["audiosocket:host"] = "127.0.0.1",
            ["audiosocket:port"] = "0",
            ["gateway:id"] = "test-gateway",
            // These tests count the frames the grain receives from a caller that sends a few and stops, which is a
            // media gap: the fill is off unless a test turns it on (CallerGapFillTests).
            ["audiosocket:caller_gap_fill_ms"] = "0",
            // ... and take each message the grain receives for one frame (CallerFrameRelayTests and
            // CallerFramesPerMessageCallTests cover the batching).
            ["audiosocket:caller_frames_per_message"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(all);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(fixture.Cluster.Client);
        builder.AddAudioSocketGateway();
        configure?.Invoke(builder);
        if (withHttp)
        {
            builder.Configuration["gateway:http_port"] = "0";
            builder.AddGatewayHttp();
        }
        else
        {
            // AudioSocket is not a Kestrel endpoint: without one of its own Kestrel would take localhost:5000.
            builder.WebHost.ConfigureKestrel(static k => k.Listen(IPAddress.Loopback, 0));
        }

        var app = builder.Build();
        if (withHttp)
        {
            app.MapGatewayHealth();
        }

        await app.StartAsync();
        var endPoint = app.Services.GetRequiredService<AudioSocketListener>().EndPoint
            ?? throw new InvalidOperationException("AudioSocket listener not bound");
        var http = withHttp
            ? app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses
                .Select(a => new Uri(a.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)))
                .Single()
            : null;
        return new GatewayHost(app, endPoint) { HttpAddress = http };
    }

    /// <summary>Stops the host as SIGTERM does (the drain runs first); the task ends when the host has stopped.</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
