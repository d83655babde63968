using Microsoft.Extensions.Configuration;

namespace AiAgent.Grains.Interfaces.Configuration;

/// <summary>
/// Finds the keys set by command-line arguments and <c>AIAGENT_</c> environment variables that nothing reads, so a
/// misspelt override (<c>--audiosocket:prot=1</c>) stops the start-up instead of landing as a key no option binds.
/// Pure: the host passes what it reads (<see cref="ConfigurationSchema"/>), the keys set and the file's keys.
/// </summary>
/// <remarks>
/// A key under a section the host reads must name one of its settings. A key under a section only another host reads
/// (a standalone gateway given <c>--silo:http_port</c>, as a script passing one set of ports to every process does)
/// is left to that host, and so is a section the file itself has that no options type reads. Environment variables
/// outside the sections are also the secrets a setting names (<c>api_key_env</c>, <c>AIAGENT_API_TOKEN</c>), so such a
/// variable is an error only when it is a near miss of a known key (<c>AIAGENT_DEFUALT_PROVIDER</c>).
/// </remarks>
public static class UnusedSettingCheck
{
    /// <summary>Framework keys every host accepts: the host's own arguments and the sections ASP.NET Core, logging and Orleans read.</summary>
    public static ConfigurationSchema AddFrameworkKeys(this ConfigurationSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        foreach (var section in FrameworkSections)
        {
            schema.Open(section);
        }

        foreach (var key in FrameworkKeys)
        {
            schema.Key(key);
        }

        return schema;
    }

    /// <summary>One error per key that nothing reads, naming the argument or variable as given and the nearest known key.</summary>
    /// <param name="schema">What the host reads.</param>
    /// <param name="argumentKeys">Keys the command line sets (<see cref="CommandLineOverrides.Result.Keys"/>).</param>
    /// <param name="environmentVariables">Names of the environment variables that start with <see cref="AgentConfigFile.EnvironmentPrefix"/>.</param>
    /// <param name="fileKeys">Keys of the loaded configuration file.</param>
    public static IReadOnlyList<string> Find(ConfigurationSchema schema, IEnumerable<string> argumentKeys, IEnumerable<string> environmentVariables, IEnumerable<string> fileKeys)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var fileRoots = fileKeys.Select(Root).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        foreach (var key in argumentKeys)
        {
            if (!IsUsable(schema, key, fileRoots))
            {
                errors.Add($"'--{key}': no setting reads '{key}'{Suggestion(schema, key, asVariable: false)}");
            }
        }

        foreach (var variable in environmentVariables)
        {
            var key = VariableKey(variable);
            var unusable = schema.HasRoot(Root(key))
                ? !schema.IsKnown(key)
                : !schema.IsKnown(variable) && !IsUsable(schema, key, fileRoots) && schema.Closest(key) is not null;
            if (unusable)
            {
                errors.Add($"'{variable}': no setting reads '{key}'{Suggestion(schema, key, asVariable: true)}");
            }
        }

        return errors;
    }

    /// <summary>The configuration key an <c>AIAGENT_</c> variable sets (<c>AIAGENT_AUDIOSOCKET__PORT</c> → <c>AUDIOSOCKET:PORT</c>).</summary>
    public static string VariableKey(string variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var name = variable.StartsWith(AgentConfigFile.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase)
            ? variable[AgentConfigFile.EnvironmentPrefix.Length..]
            : variable;
        return name.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal);
    }

    private static bool IsUsable(ConfigurationSchema schema, string key, HashSet<string> fileRoots)
    {
        var root = Root(key);
        return schema.IsKnown(key)
            || FrameworkPrefixes.Any(p => root.StartsWith(p, StringComparison.OrdinalIgnoreCase))
            || (!schema.HasRoot(root) && (fileRoots.Contains(root) || AgentConfigFile.KnownRoots.Contains(root, StringComparer.OrdinalIgnoreCase)));
    }

    private static string Suggestion(ConfigurationSchema schema, string key, bool asVariable) => schema.Closest(key) switch
    {
        null => string.Empty,
        var known when asVariable => $"; did you mean {known} ({AgentConfigFile.EnvironmentPrefix}{known.Replace(ConfigurationPath.KeyDelimiter, "__", StringComparison.Ordinal).ToUpperInvariant()})?",
        var known => $"; did you mean {known}?",
    };

    private static string Root(string key) => key.Split(ConfigurationPath.KeyDelimiter, 2)[0];

    private static readonly string[] FrameworkSections = ["Logging", "Kestrel", "Orleans", "hostBuilder"];

    // The generic host's and ASP.NET Core's own keys (HostDefaults, WebHostDefaults) and this platform's --config.
    private static readonly string[] FrameworkKeys =
    [
        "config", "environment", "contentRoot", "applicationName", "urls", "http_ports", "https_ports", "https_port",
        "AllowedHosts", "webroot", "detailedErrors", "shutdownTimeoutSeconds", "captureStartupErrors", "suppressStatusMessages",
        "preventHostingStartup", "hostingStartupAssemblies", "hostingStartupExcludeAssemblies",
    ];

    // Host settings given as arguments in their variable spelling (--ASPNETCORE_ENVIRONMENT=Development).
    private static readonly string[] FrameworkPrefixes = ["ASPNETCORE_", "DOTNET_"];
}
