using AiAgent.Gateway.Hosting;
using AiAgent.Grains.Interfaces.Configuration;
using Microsoft.AspNetCore.Builder;

namespace AiAgent.Silo;

/// <summary>The silo host: <c>dotnet run --project Silo</c> starts the whole platform on embedded defaults.</summary>
public static class Program
{
    /// <summary>
    /// Builds (see <see cref="SiloHost"/>) and runs the host; exit code 1, with the reason on standard error, when a
    /// setting cannot be used or a port is taken.
    /// </summary>
    public static async Task<int> Main(string[] args)
    {
        WebApplication app;
        try
        {
            app = SiloHost.Build(args);
        }
        catch (Exception ex) when (HostStartup.ConfigurationErrors(ex) is { } invalid)
        {
            await HostStartup.WriteAsync(Console.Error, InvalidConfigurationException.Heading, invalid);
            return 1;
        }

        await using (app)
        {
            return await HostStartup.RunAsync(
                app, Console.Error, ["audiosocket:port", "silo:http_port", "clustering:silo_port", "clustering:gateway_port"]);
        }
    }
}
