namespace AiAgent.Grains.Tools.Mcp;

/// <summary>A validated <see cref="McpServerOptions"/> entry: headers expanded, timeout resolved.</summary>
/// <param name="Name">The server's configured name.</param>
/// <param name="Endpoint">The MCP endpoint.</param>
/// <param name="Headers">Header names and expanded values (secrets: never logged).</param>
/// <param name="AllowedTools">The tools offered; empty: all.</param>
/// <param name="Timeout">The timeout of a listing or a tool call.</param>
internal sealed record McpServerSpec(string Name, Uri Endpoint, IReadOnlyDictionary<string, string> Headers, IReadOnlySet<string> AllowedTools, TimeSpan Timeout)
{
    /// <summary>Builds the spec of an entry that passed <see cref="McpToolsOptionsValidator"/>.</summary>
    public static McpServerSpec From(McpServerOptions server, int defaultTimeoutMs, Func<string, string?> environment) => new(
        server.Name,
        new Uri(server.Url, UriKind.Absolute),
        server.Headers.ToDictionary(h => h.Key, h => EnvironmentTemplate.Expand(h.Value, environment), StringComparer.OrdinalIgnoreCase),
        server.Tools.ToHashSet(StringComparer.Ordinal),
        TimeSpan.FromMilliseconds(server.TimeoutMs ?? defaultTimeoutMs));

    /// <summary>What identifies the entry's configuration (header templates, not their secret values), to tell an edit.</summary>
    public static string Fingerprint(McpServerOptions server, int defaultTimeoutMs) => string.Join(
        '\n',
        server.Name,
        server.Url,
        server.TimeoutMs ?? defaultTimeoutMs,
        string.Join(',', server.Tools.Order(StringComparer.Ordinal)),
        string.Join(',', server.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase).Select(h => $"{h.Key}={h.Value}")));

    /// <summary>Whether the allow-list offers <paramref name="tool"/>.</summary>
    public bool Offers(string tool) => AllowedTools.Count == 0 || AllowedTools.Contains(tool);
}
