using System.Collections;
using Microsoft.Extensions.Configuration;

namespace AiAgent.Grains.Interfaces.Configuration;

/// <summary>
/// Finds and adds <c>config/ai-agent.yaml</c> the same way in every process (silo, gateway, tools):
/// <c>--config PATH</c>, else <c>AIAGENT_CONFIG</c>, else <c>config/ai-agent.yaml</c> under the working directory
/// or any parent of the app's directory. Environment variables prefixed <c>AIAGENT_</c>, <c>__</c> between sections
/// (<c>AIAGENT_DEFAULT_PROVIDER=deepgram</c>, <c>AIAGENT_AUDIOSOCKET__PORT=9000</c>), override the file, and
/// command-line arguments (<c>--default_provider=deepgram</c>, <c>--audiosocket:port=9000</c>,
/// <c>--audiosocket:port 9000</c>) override both, also after a reload of the file.
/// </summary>
public static class AgentConfigFile
{
    /// <summary>The file's path relative to the repository or container root.</summary>
    public const string RelativePath = "config/ai-agent.yaml";

    /// <summary>The environment variable that names the file explicitly.</summary>
    public const string PathVariable = "AIAGENT_CONFIG";

    /// <summary>The prefix of environment variables that override single keys (<c>__</c> separates sections).</summary>
    public const string EnvironmentPrefix = "AIAGENT_";

    /// <summary>
    /// The top-level keys of the platform's configuration (the sections of <c>config/ai-agent.yaml</c>, the .NET
    /// <c>Logging</c> section) and the host's own arguments. An argument naming anything else is a typo that would
    /// otherwise be dropped without a word; keys the loaded file has are accepted as well.
    /// </summary>
    public static readonly IReadOnlyList<string> KnownRoots =
    [
        "default_provider", "barge_in", "providers", "audiosocket", "gateway", "silo", "telemetry", "clustering",
        "storage", "streams", "asterisk", "tools", "transfer", "webhook", "Logging", "config", "environment", "contentRoot", "applicationName",
    ];

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

    /// <summary>
    /// Adds the config file (watched when <paramref name="reloadOnChange"/>), then the <c>AIAGENT_</c> environment
    /// variables, then every command-line argument. Sources added later win, and a reload replaces only the file's
    /// keys, so the overrides stay in force over every version of the file.
    /// </summary>
    /// <param name="builder">The host's configuration.</param>
    /// <param name="args">The process arguments.</param>
    /// <param name="reloadOnChange">Watch the file.</param>
    /// <param name="hostKeys">Further top-level keys the host reads from arguments (e.g. a secret's variable name).</param>
    /// <returns>The path of the file that was added.</returns>
    /// <exception cref="InvalidDataException">An argument cannot be used (malformed or an unknown key); the message names each.</exception>
    public static string AddAgentConfigFile(this IConfigurationBuilder builder, string[] args, bool reloadOnChange, params IEnumerable<string> hostKeys)
    {
        var path = Locate(args);
        var arguments = CommandLineOverrides.Parse(args);
        var known = new HashSet<string>(KnownRoots.Concat(hostKeys).Concat(FileRoots(path)), StringComparer.OrdinalIgnoreCase);
        var errors = arguments.Errors
            .Concat(arguments.Keys.Keys.Where(k => !known.Contains(Root(k))).Select(k => $"'--{k}': '{Root(k)}' is not a configuration key{NearestRoot(Root(k))}; known: {string.Join(", ", KnownRoots)}"))
            .ToList();
        if (errors.Count > 0)
        {
            throw new InvalidDataException("command-line arguments that cannot be used:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)));
        }

        builder.AddYamlFile(path, optional: false, reloadOnChange);
        builder.AddEnvironmentVariables(EnvironmentPrefix);
        builder.AddInMemoryCollection(arguments.Keys);
        return path;
    }

    /// <summary>
    /// Stops the start-up when an argument or an <c>AIAGENT_</c> environment variable sets a key that nothing in
    /// <paramref name="schema"/> (what the host binds) reads, naming each as given and the nearest known key
    /// (<see cref="UnusedSettingCheck"/>). Call it once the host has registered everything it binds.
    /// </summary>
    /// <param name="args">The process arguments.</param>
    /// <param name="schema">Every key the host reads (with <see cref="UnusedSettingCheck.AddFrameworkKeys"/>).</param>
    /// <param name="environment">The environment variables (the process's when null; tests pass their own).</param>
    /// <exception cref="InvalidDataException">Some key is read by nothing; the message names each.</exception>
    public static void ThrowIfUnused(string[] args, ConfigurationSchema schema, IDictionary? environment = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var variables = (environment ?? Environment.GetEnvironmentVariables()).Keys.OfType<string>()
            .Where(v => v.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase) && v.Length > EnvironmentPrefix.Length)
            .Order(StringComparer.Ordinal);
        var errors = UnusedSettingCheck.Find(schema, CommandLineOverrides.Parse(args).Keys.Keys, variables, FileKeys(Locate(args)));
        if (errors.Count > 0)
        {
            throw new InvalidDataException("settings that nothing reads (check the spelling):" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e)));
        }
    }

    private static string NearestRoot(string root) =>
        KnownRoots.Where(k => EditDistance.Between(root.ToUpperInvariant(), k.ToUpperInvariant()) <= Math.Max(1, Math.Min(3, root.Length / 5)))
            .OrderBy(k => EditDistance.Between(root.ToUpperInvariant(), k.ToUpperInvariant()))
            .Select(k => $" (did you mean {k}?)")
            .FirstOrDefault() ?? string.Empty;

    private static string Root(string key) => key.Split(ConfigurationPath.KeyDelimiter, 2)[0];

    private static IEnumerable<string> FileRoots(string path) => FileKeys(path).Select(Root);

    private static List<string> FileKeys(string path)
    {
        using var stream = File.OpenRead(path);
        return [.. YamlConfigurationProvider.Parse(stream).Keys];
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
