using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Tools.Mcp;

/// <summary>
/// Validates <c>tools.mcp</c> at start-up (and each reload), every error naming its YAML key: a unique name token, an
/// absolute http(s) URL, the timeout, the allow-list's names, and that every <c>${ENV}</c> a header uses is set.
/// </summary>
public sealed partial class McpToolsOptionsValidator(Func<string, string?> environment) : IValidateOptions<McpToolsOptions>
{
    /// <summary>Validates against the process environment.</summary>
    public McpToolsOptionsValidator()
        : this(EnvironmentTemplate.FromProcess)
    {
    }

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, McpToolsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Mcp.Count; i++)
        {
            var server = options.Mcp[i];
            var key = $"tools.mcp[{i}]" + (string.IsNullOrEmpty(server.Name) ? string.Empty : $" ({server.Name})");
            if (!Token().IsMatch(server.Name))
            {
                errors.Add($"{key}.name: '{server.Name}' must be 1-64 of A-Z a-z 0-9 _ -");
            }
            else if (!seen.Add(server.Name))
            {
                errors.Add($"{key}.name: '{server.Name}' is used by an earlier tools.mcp entry; server names must be unique");
            }

            if (!Uri.TryCreate(server.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                errors.Add($"{key}.url: '{server.Url}' must be an absolute http:// or https:// URL");
            }

            if (server.TimeoutMs is < 100 or > 60_000)
            {
                errors.Add($"{key}.timeout_ms: {server.TimeoutMs} must be between 100 and 60000");
            }

            foreach (var tool in server.Tools.Where(t => !Token().IsMatch(t)))
            {
                errors.Add($"{key}.tools: '{tool}' is not a tool name (1-64 of A-Z a-z 0-9 _ -)");
            }

            foreach (var (header, value) in server.Headers)
            {
                foreach (var variable in EnvironmentTemplate.Missing(value, environment))
                {
                    errors.Add($"{key}.headers.{header}: environment variable {variable} is not set");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
