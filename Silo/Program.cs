using AiAgent.Silo.Hosting;

namespace AiAgent.Silo;

/// <summary>The silo host: <c>dotnet run --project Silo</c> starts the whole platform on embedded defaults.</summary>
public static class Program
{
    /// <summary>Builds and runs the host.</summary>
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var hosting = builder.AddAgentConfiguration(args);
        builder.AddAgentSilo(hosting);
        builder.AddAgentHealth(hosting);
        builder.WebHost.ConfigureKestrel(k => k.Listen(hosting.Silo.HttpEndPoint(), l => l.Protocols = Microsoft.AspNetCore.Server.Kestrel.Core.HttpProtocols.Http1));

        var app = builder.Build();
        app.MapAgentHealth();
        await app.RunAsync();
    }
}
