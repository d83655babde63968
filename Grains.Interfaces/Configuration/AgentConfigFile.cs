using Microsoft.Extensions.Configuration;

namespace AiAgent.Grains.Interfaces.Configuration;

/// <summary>
/// Finds and adds <c>config/ai-agent.yaml</c> the same way in every process (silo, gateway, tools):
/// <c>--config PATH</c>, else <c>AIAGENT_CONFIG</c>, else <c>config/ai-agent.yaml</c> under the working directory
/// or any parent of the app's directory. Environment variables prefixed <c>AIAGENT_</c>
/// (<c>AIAGENT_AUDIOSOCKET__PORT=9000</c>) and command-line keys (<c>--audiosocket:port=9000</c>) override the file.
/// </summary>
public static class AgentConfigFile
{
    /// <summary>The file's path relative to the repository or container root.</summary>
    public const string RelativePath = "config/ai-agent.yaml";

    /// <summary>The environment variable that names the file explicitly.</summary>
    public const string PathVariable = "AIAGENT_CONFIG";

    /// <summary>Locates the config file; throws <see cref="FileNotFoundException"/> naming where it looked.</summary>
    public static string Locate(string[] args)
    {
        var explicitPath = ArgumentValue(args, "--config") ?? Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return File.Exists(explicitPath)
                ? Path.GetFullPath(explicitPath)
                : throw new FileNotFoundException($"config file '{explicitPath}' (from --config or {PathVariable}) does not exist", explicitPath);
        }

        var candidates = new List<string> { Path.Combine(Directory.GetCurrentDirectory(), RelativePath) };
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            candidates.Add(Path.Combine(dir.FullName, RelativePath));
        }

        return candidates.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"{RelativePath} not found in the working directory or above the app; pass --config PATH or set {PathVariable}");
    }

    /// <summary>Adds the config file (watched when <paramref name="reloadOnChange"/>), then the overrides.</summary>
    /// <returns>The path of the file that was added.</returns>
    public static string AddAgentConfigFile(this IConfigurationBuilder builder, string[] args, bool reloadOnChange)
    {
        var path = Locate(args);
        builder.AddYamlFile(path, optional: false, reloadOnChange);
        builder.AddEnvironmentVariables("AIAGENT_");
        builder.AddCommandLine(args.Where(a => a.Contains(':', StringComparison.Ordinal)).ToArray());
        return path;
    }

    private static string? ArgumentValue(string[] args, string name)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == name && i + 1 < args.Length)
            {
                return args[i + 1];
            }

            if (args[i].StartsWith(name + "=", StringComparison.Ordinal))
            {
                return args[i][(name.Length + 1)..];
            }
        }

        return null;
    }
}
