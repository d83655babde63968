using System.Text.RegularExpressions;

namespace AiAgent.Grains.Tools;

/// <summary>
/// Expands <c>${NAME}</c> in a configured header value from the environment, so a token never sits in the YAML file.
/// Expanded values are secrets: callers keep them out of logs and error messages (only the variable's name is named).
/// </summary>
public static partial class EnvironmentTemplate
{
    /// <summary>The variables <paramref name="template"/> names, in order.</summary>
    public static IEnumerable<string> Variables(string template) =>
        Placeholder().Matches(template ?? string.Empty).Select(m => m.Groups[1].Value);

    /// <summary>The names of the variables <paramref name="template"/> uses that <paramref name="environment"/> does not set.</summary>
    public static IEnumerable<string> Missing(string template, Func<string, string?> environment) =>
        Variables(template).Where(name => environment(name) is null).Distinct(StringComparer.Ordinal);

    /// <summary>The template with each <c>${NAME}</c> replaced; throws <see cref="InvalidOperationException"/> naming an unset variable.</summary>
    public static string Expand(string template, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        return Placeholder().Replace(template ?? string.Empty, m => environment(m.Groups[1].Value)
            ?? throw new InvalidOperationException($"environment variable {m.Groups[1].Value} is not set"));
    }

    /// <summary>Reads the process environment.</summary>
    public static string? FromProcess(string name) => Environment.GetEnvironmentVariable(name);

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();
}
