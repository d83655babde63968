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
internal sealed class RealGateway(WebApplication app, int port, string id) : IAsyncDisposable
{
    private int _stopped;

    /// <summary>Its AudioSocket port.</summary>
    public int Port { get; } = port;

    /// <summary>Its <c>gateway.id</c>, as calls record it.</summary>
    public string Id { get; } = id;

    /// <summary>True once stopped.</summary>
    public bool Stopped => Volatile.Read(ref _stopped) == 1;

    /// <summary>A loopback port free right now (the cluster's config needs it before the gateway can start).</summary>
    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    public static async Task<RealGateway> StartAsync(IClusterClient client, int port, string id = "ari-test-gateway", ILoggerProvider? logs = null, bool callerGapFill = true)
    {
        var builder = WebApplication.CreateSlimBuilder();
        var keys = new Dictionary<string, string?>
        {
            ["audiosocket:host"] = "127.0.0.1",
            ["audiosocket:port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["gateway:id"] = id,
        };
        if (!callerGapFill)
        {
            keys["audiosocket:caller_gap_fill_ms"] = "0";
        }

        builder.Configuration.AddInMemoryCollection(keys);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }
        builder.Services.AddSingleton(client);
        builder.AddAudioSocketGateway();
        // AudioSocket is not a Kestrel endpoint: without one of its own Kestrel would take localhost:5000.
        builder.WebHost.ConfigureKestrel(static k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        await app.StartAsync();
        return new RealGateway(app, port, id);
    }

    /// <summary>A graceful stop, as a drained pod's: each session sends the hangup frame and detaches from its call.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
