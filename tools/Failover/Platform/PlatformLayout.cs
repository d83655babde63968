namespace AiAgent.Failover.Platform;

/// <summary>Where everything of one run lives: the built binaries, the config file, the run's output directory, the cluster's names.</summary>
/// <param name="RepositoryRoot">The checkout (the folder holding AiAgent.Orleans.sln).</param>
/// <param name="OutputDirectory">This run's folder: one log file per child process, the Redis data, the reports.</param>
/// <param name="ClusterId">The Orleans cluster and service id, unique per run.</param>
/// <param name="SiloArguments">Extra <c>--key=value</c> arguments for every silo.</param>
/// <param name="GatewayArguments">Extra <c>--key=value</c> arguments for the gateway.</param>
internal sealed record PlatformLayout(
    string RepositoryRoot, string OutputDirectory, string ClusterId, IReadOnlyList<string> SiloArguments, IReadOnlyList<string> GatewayArguments)
{
    /// <summary>The platform's configuration file; every harness setting is a command-line override on top of it.</summary>
    public string ConfigPath => Path.Combine(RepositoryRoot, "config", "ai-agent.yaml");

    /// <summary>The Release silo.</summary>
    public string SiloDll => Path.Combine(RepositoryRoot, "Silo", "bin", "Release", "net10.0", "AiAgent.Silo.dll");

    /// <summary>The Release standalone gateway.</summary>
    public string GatewayDll => Path.Combine(RepositoryRoot, "Gateway", "bin", "Release", "net10.0", "AiAgent.Gateway.dll");

    /// <summary>The log file of the child process called <paramref name="name"/>.</summary>
    public string LogPath(string name) => Path.Combine(OutputDirectory, $"{name}.log");

    /// <summary>The arguments every silo and the gateway share: the config file and the cluster in Redis.</summary>
    public IEnumerable<string> ClusterArguments(string redis) =>
    [
        "--config", ConfigPath,
        "--clustering:mode=redis", $"--clustering:redis={redis}",
        $"--clustering:cluster_id={ClusterId}", $"--clustering:service_id={ClusterId}",
    ];
}
