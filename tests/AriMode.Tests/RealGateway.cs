using System.Net;
using System.Net.Sockets;
using AiAgent.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiAgent.AriMode.Tests;

/// <summary>The real AudioSocket gateway (Kestrel on loopback) on the test cluster's client.</summary>
internal sealed class RealGateway(WebApplication app) : IAsyncDisposable
{
    /// <summary>A loopback port free right now (the cluster's config needs it before the gateway can start).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public static async Task<RealGateway> StartAsync(IClusterClient client, int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["audiosocket:host"] = "127.0.0.1",
            ["audiosocket:port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["gateway:id"] = "ari-test-gateway",
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(client);
        builder.AddAudioSocketGateway();
        // AudioSocket is not a Kestrel endpoint: without one of its own Kestrel would take localhost:5000.
        builder.WebHost.ConfigureKestrel(static k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        await app.StartAsync();
        return new RealGateway(app);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
