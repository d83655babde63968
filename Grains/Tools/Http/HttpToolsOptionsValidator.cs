using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Tools.Http;

/// <summary>
/// Validates <c>tools.http</c> at start-up (and each reload), every error naming its YAML key: the name token, a
/// description, an object <c>parameters</c> schema, the method, an absolute http(s) URL whose placeholders are all
/// declared parameters, the timeout, and that every <c>${ENV}</c> a header uses is set (naming the variable only).
/// </summary>
public sealed partial class HttpToolsOptionsValidator(Func<string, string?> environment) : IValidateOptions<HttpToolsOptions>
{
    /// <summary>Validates against the process environment.</summary>
    public HttpToolsOptionsValidator()
        : this(EnvironmentTemplate.FromProcess)
    {
    }

    /// <summary>The methods a tool may use.</summary>
    public static readonly IReadOnlyList<string> Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, HttpToolsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Http.Count; i++)
        {
            var tool = options.Http[i];
            var key = $"tools.http[{i}]" + (string.IsNullOrEmpty(tool.Name) ? string.Empty : $" ({tool.Name})");
            ValidateTool(tool, key, errors);
            if (!string.IsNullOrEmpty(tool.Name) && !seen.Add(tool.Name))
            {
                errors.Add($"{key}.name: '{tool.Name}' is used by an earlier tools.http entry; tool names must be unique");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private void ValidateTool(HttpToolOptions tool, string key, List<string> errors)
    {
        if (!ToolName().IsMatch(tool.Name))
        {
            errors.Add($"{key}.name: '{tool.Name}' must be 1-64 of A-Z a-z 0-9 _ -");
        }

        if (string.IsNullOrWhiteSpace(tool.Description))
        {
            errors.Add($"{key}.description: required (the model reads it to decide when to call the tool)");
        }

        var properties = ValidateParameters(tool.Parameters, key, errors);
        if (!Methods.Contains(tool.Method.ToUpperInvariant()))
        {
            errors.Add($"{key}.method: '{tool.Method}' must be one of {string.Join(", ", Methods)}");
        }

        ValidateUrl(tool.Url, properties, key, errors);
        if (tool.TimeoutMs is < 100 or > 60_000)
        {
            errors.Add($"{key}.timeout_ms: {tool.TimeoutMs} must be between 100 and 60000");
        }

        if (tool.ResultPath is { } path && (path.Length == 0 || path.Split('.').Any(string.IsNullOrEmpty)))
        {
            errors.Add($"{key}.result_path: '{path}' must be a dot path such as data.status or items.0.name");
        }

        foreach (var (header, value) in tool.Headers)
        {
            foreach (var variable in EnvironmentTemplate.Missing(value, environment))
            {
                errors.Add($"{key}.headers.{header}: environment variable {variable} is not set");
            }
        }
    }

    // The names under parameters.properties, or null when parameters is not an object schema.
    private static HashSet<string>? ValidateParameters(JsonElement parameters, string key, List<string> errors)
    {
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            errors.Add($"{key}.parameters: required, a JSON schema map with type: object (e.g. {{ type: object, properties: {{ id: {{ type: string }} }} }})");
            return null;
        }

        if (!parameters.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() != "object")
        {
            errors.Add($"{key}.parameters.type: must be 'object' (the model's arguments are one JSON object)");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        if (parameters.TryGetProperty("properties", out var properties))
        {
            if (properties.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{key}.parameters.properties: must be a map of argument name to schema");
            }
            else
            {
                names.UnionWith(properties.EnumerateObject().Select(p => p.Name));
            }
        }

        return names;
    }

    private static void ValidateUrl(string url, HashSet<string>? properties, string key, List<string> errors)
    {
        // Placeholders out first: "{id}" is not valid in a URI, and the host may not be a placeholder.
        var bare = HttpToolRequest.Placeholder().Replace(url, "x");
        if (!Uri.TryCreate(bare, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
        {
            errors.Add($"{key}.url: '{url}' must be an absolute http:// or https:// URL");
            return;
        }

        // A placeholder in the host would let the model choose where the request (and its headers) go.
        if (!Uri.TryCreate(HttpToolRequest.Placeholder().Replace(url, "y"), UriKind.Absolute, out var other) || other.Authority != uri.Authority)
        {
            errors.Add($"{key}.url: a placeholder may not be in the host or port; only in the path and query");
        }

        if (properties is null)
        {
            return;
        }

        foreach (var placeholder in HttpToolRequest.Placeholders(url).Where(p => !properties.Contains(p)))
        {
            errors.Add($"{key}.url: placeholder {{{placeholder}}} is not declared in parameters.properties");
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex ToolName();
}
