using AiAgent.Gateway.Configuration;
using AiAgent.Gateway.Hosting;
using AiAgent.Grains.Interfaces.Diagnostics;
using Microsoft.AspNetCore.Builder;

namespace AiAgent.Gateway;

/// <summary>
/// The standalone gateway (<c>dotnet run --project Gateway</c>): AudioSocket on <c>audiosocket.port</c>,
/// health on <c>gateway.http_port</c>, an Orleans client of the silos. Not top-level statements: the silo
/// references this project to co-host the gateway, and two global <c>Program</c> types would clash.
/// </summary>
public static class Program
{
    /// <summary>Runs the gateway until stopped; exit code 1 on invalid configuration.</summary>
    public static async Task<int> Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        try
        {
            builder.AddAiAgentConfigFile(args);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException)
        {
            return await FailAsync([ex.Message]);
        }

        if (GatewayConfigurationValidator.Validate(builder.Configuration) is { Count: > 0 } errors)
        {
            return await FailAsync(errors);
        }

        builder.AddGatewayOrleansClient().AddAudioSocketGateway().AddGatewayHttp();
        builder.AddAgentHostDefaults("aiagent-gateway", TelemetryNames.GatewayMeters, []);
        var app = builder.Build();
        app.MapAgentDefaultEndpoints();
        await app.RunAsync();
        return 0;
    }

    private static async Task<int> FailAsync(IEnumerable<string> errors)
    {
        await Console.Error.WriteLineAsync("Invalid configuration:");
        foreach (var error in errors)
        {
            await Console.Error.WriteLineAsync($"  {error}");
        }

        return 1;
    }
}
