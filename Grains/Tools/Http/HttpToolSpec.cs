using System.Text.Json;

namespace AiAgent.Grains.Tools.Http;

/// <summary>A validated <see cref="HttpToolOptions"/> entry, ready to send: headers expanded, method and timeout resolved.</summary>
/// <param name="Definition">What the model is told (the configured name, description and parameters schema).</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="UrlTemplate">The configured URL with its <c>{arg}</c> placeholders.</param>
/// <param name="Headers">Header names and expanded values (secrets: never logged).</param>
/// <param name="Timeout">The whole request's budget, retries included.</param>
/// <param name="ResultPath">The dot path of the part of the response given to the model; null for the whole body.</param>
internal sealed record HttpToolSpec(
    ToolDefinition Definition,
    HttpMethod Method,
    string UrlTemplate,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    TimeSpan Timeout,
    string? ResultPath)
{
    /// <summary>Builds the spec of an entry that passed <see cref="HttpToolsOptionsValidator"/>.</summary>
    public static HttpToolSpec From(HttpToolOptions tool, int defaultTimeoutMs, Func<string, string?> environment) => new(
        new ToolDefinition(tool.Name, tool.Description, tool.Parameters.Clone()),
        HttpMethod.Parse(tool.Method.ToUpperInvariant()),
        tool.Url,
        [.. tool.Headers.Select(h => KeyValuePair.Create(h.Key, EnvironmentTemplate.Expand(h.Value, environment)))],
        TimeSpan.FromMilliseconds(tool.TimeoutMs ?? defaultTimeoutMs),
        tool.ResultPath);

    /// <summary>Whether the arguments not in the URL go in a JSON body (else in the query string).</summary>
    public bool SendsBody => Method == HttpMethod.Post || Method == HttpMethod.Put || Method == HttpMethod.Patch;
}

/// <summary>Arguments that cannot make a request (a URL placeholder's argument missing): the model is told.</summary>
internal sealed class ToolArgumentException(string message) : Exception(message);
