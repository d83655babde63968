using System.Net;
using AiAgent.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
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

    public static async Task<GatewayHost> StartAsync(ClusterFixture fixture, IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var all = new Dictionary<string, string?>
        {
            ["audiosocket:host"] = "127.0.0.1",
            ["audiosocket:port"] = "0",
            ["gateway:id"] = "test-gateway",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(all);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(fixture.Cluster.Client);
        builder.AddAudioSocketGateway();
        var app = builder.Build();
        await app.StartAsync();
        var endPoint = app.Services.GetRequiredService<AudioSocketListener>().EndPoint
            ?? throw new InvalidOperationException("AudioSocket listener not bound");
        return new GatewayHost(app, endPoint);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
