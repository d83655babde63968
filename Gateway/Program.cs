using AiAgent.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;

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
        try
        {
            var builder = WebApplication.CreateBuilder(args);
            builder.AddAiAgentConfigFile(args).AddGatewayOrleansClient().AddAudioSocketGateway().AddGatewayHttp();
            var app = builder.Build();
            app.MapGatewayHealth();
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (ex is OptionsValidationException or FileNotFoundException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync($"Invalid configuration: {ex.Message}");
            if (ex is OptionsValidationException validation)
            {
                foreach (var failure in validation.Failures)
                {
                    await Console.Error.WriteLineAsync($"  {failure}");
                }
            }

            return 1;
        }
    }
}
