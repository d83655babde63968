namespace AiAgent.Silo;

/// <summary>The silo host: <c>dotnet run --project Silo</c> starts the whole platform on embedded defaults.</summary>
public static class Program
{
    /// <summary>Builds (see <see cref="SiloHost"/>) and runs the host.</summary>
    public static async Task Main(string[] args)
    {
        await using var app = SiloHost.Build(args);
        await app.RunAsync();
    }
}
