using AiAgent.Gateway.Configuration;
using AiAgent.Gateway.Hosting;
using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Grains.Interfaces.Diagnostics;
using AiAgent.Telemetry;
using Microsoft.AspNetCore.Builder;

namespace AiAgent.Gateway;

/// <summary>
/// The standalone gateway (<c>dotnet run --project Gateway</c>): AudioSocket on <c>audiosocket.port</c>,
/// health on <c>gateway.http_port</c>, an Orleans client of the silos. Not top-level statements: the silo
/// references this project to co-host the gateway, and two global <c>Program</c> types would clash.
/// </summary>
public static class Program
{
    /// <summary>Runs the gateway until stopped; exit code 1 on invalid configuration or a port in use.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (await BuildAsync(args, Console.Error) is not { } app)
        {
            return 1;
        }

        await using (app)
        {
            return await HostStartup.RunAsync(app, Console.Error, ["audiosocket:port", "gateway:http_port"]);
        }
    }

    /// <summary>
    /// Builds the gateway, or writes every configuration error to <paramref name="errors"/> and returns null: a missing
    /// file, an unusable argument or variable (one that nothing in <see cref="Settings"/> reads), an invalid value.
    /// </summary>
    public static async Task<WebApplication?> BuildAsync(string[] args, TextWriter errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var builder = WebApplication.CreateBuilder(args);
        try
        {
            builder.AddAiAgentConfigFile(args);
            AgentConfigFile.ThrowIfUnused(args, Settings());
        }
        catch (Exception ex) when (HostStartup.ConfigurationErrors(ex) is { } unusable)
        {
            await HostStartup.WriteAsync(errors, InvalidConfigurationException.Heading, unusable);
            return null;
        }

        if (GatewayConfigurationValidator.Validate(builder.Configuration) is { Count: > 0 } invalid)
        {
            await HostStartup.WriteAsync(errors, InvalidConfigurationException.Heading, invalid);
            return null;
        }

        builder.AddGatewayOrleansClient().AddAudioSocketGateway().AddGatewayHttp();
        builder.AddAgentHostDefaults("aiagent-gateway", TelemetryNames.GatewayMeters, []);
        var app = builder.Build();
        app.MapAgentDefaultEndpoints();
        return app;
    }

    /// <summary>Every key the gateway reads: the options types it binds, <c>streams.queues</c> and the framework's keys.</summary>
    public static ConfigurationSchema Settings() => new ConfigurationSchema()
        .Bind(AudioSocketOptions.SectionName, typeof(AudioSocketOptions))
        .Bind(GatewayInstanceOptions.SectionName, typeof(GatewayInstanceOptions))
        .Bind(ClusteringOptions.SectionName, typeof(ClusteringOptions))
        .Bind("telemetry", typeof(TelemetryOptions))
        .Key("streams:queues") // read with GetValue for the Orleans client's stream partitions (GatewayHostExtensions)
        .AddFrameworkKeys();
}
