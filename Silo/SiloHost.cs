using AiAgent.Gateway.Hosting;
using AiAgent.Silo.Api;
using AiAgent.Silo.Hosting;
using AiAgent.Silo.Operators;
using AiAgent.Grains.Interfaces.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace AiAgent.Silo;

/// <summary>Builds the silo host the same way for <see cref="Program"/> and for tests (which pass <c>--config PATH</c>).</summary>
public static class SiloHost
{
    /// <summary>Builds the host: one entry per feature (each in the file named for it).</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var hosting = builder.AddAgentConfiguration(args);
        var access = builder.AddOperatorAccess(hosting);
        builder.AddAgentSilo(hosting);
        builder.AddAgentHealth(hosting);
        builder.AddAgentHostDefaults("aiagent-silo", TelemetryNames.SiloMeters, TelemetryNames.SiloActivitySources);
        builder.AddCallApi();
        builder.AddCallDispositionApi();
        builder.AddOperatorsDashboard(access);
        if (hosting.Gateway.Enabled)
        {
            builder.AddAudioSocketGateway();
        }

        builder.ThrowIfUnusedSettings(args);

        builder.WebHost.ConfigureKestrel(k => k.Listen(hosting.Silo.HttpEndPoint(), l => l.Protocols = HttpProtocols.Http1));

        var app = builder.Build();
        app.UseOperatorAccess();
        app.MapAgentDefaultEndpoints();
        app.MapCallApi();
        app.MapCallDispositionApi();
        app.MapOperatorsPage();
        app.MapOperatorsDashboard();
        return app;
    }
}
