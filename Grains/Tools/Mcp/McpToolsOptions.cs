using Microsoft.Extensions.Configuration;

namespace AiAgent.Grains.Tools.Mcp;

/// <summary>The MCP servers of the <c>tools</c> section (<c>tools.mcp</c>) and the default timeout they fall back on.</summary>
public sealed class McpToolsOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "tools";

    /// <summary>The default timeout of a listing or a tool call, ms (<c>tools.timeout_ms</c>).</summary>
    [ConfigurationKeyName("timeout_ms")]
    public int TimeoutMs { get; set; } = 5000;

    /// <summary>One entry per MCP server whose tools are offered to the model.</summary>
    public List<McpServerOptions> Mcp { get; set; } = [];
}

/// <summary>One MCP server (<c>tools.mcp[i]</c>), reached over Streamable HTTP (or the older HTTP+SSE transport).</summary>
public sealed class McpServerOptions
{
    /// <summary>The server's name in logs and errors (<c>^[a-zA-Z0-9_-]{1,64}$</c>).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The server's MCP endpoint, an absolute http(s) URL.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>Request headers; <c>${ENV}</c> in a value is read from the environment at start-up. Values are never logged.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The tools offered, by name; empty (the default): every tool the server lists.</summary>
    public List<string> Tools { get; set; } = [];

    /// <summary>The timeout of a listing or a tool call, ms (100-60000); null: <c>tools.timeout_ms</c>.</summary>
    [ConfigurationKeyName("timeout_ms")]
    public int? TimeoutMs { get; set; }
}
