using System.Text.Json;
using Microsoft.Extensions.Configuration;

namespace AiAgent.Grains.Tools.Http;

/// <summary>The HTTP tools of the <c>tools</c> section (<c>tools.http</c>) and the default timeout they fall back on.</summary>
public sealed class HttpToolsOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "tools";

    /// <summary>The default per-tool timeout, ms (<c>tools.timeout_ms</c>).</summary>
    [ConfigurationKeyName("timeout_ms")]
    public int TimeoutMs { get; set; } = 5000;

    /// <summary>One entry per HTTP tool offered to the model.</summary>
    public List<HttpToolOptions> Http { get; set; } = [];
}

/// <summary>One HTTP tool (<c>tools.http[i]</c>): a REST endpoint the model can call with JSON arguments.</summary>
public sealed class HttpToolOptions
{
    /// <summary>The function name the model calls (<c>^[a-zA-Z0-9_-]{1,64}$</c>).</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>When the model should use the tool.</summary>
    public string Description { get; set; } = string.Empty;

    /// <summary>GET, POST, PUT, PATCH or DELETE.</summary>
    public string Method { get; set; } = "GET";

    /// <summary>Absolute http(s) URL; <c>{arg}</c> placeholders take the (URL-escaped) argument of that name.</summary>
    public string Url { get; set; } = string.Empty;

    /// <summary>Request headers; <c>${ENV}</c> in a value is read from the environment at start-up. Values are never logged.</summary>
    public Dictionary<string, string> Headers { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The whole request's budget, retries included, ms (100-60000); null: <c>tools.timeout_ms</c>.</summary>
    [ConfigurationKeyName("timeout_ms")]
    public int? TimeoutMs { get; set; }

    /// <summary>Dot path of the part of the JSON response given to the model (<c>data.status</c>, <c>items.0.name</c>); null: the whole body.</summary>
    [ConfigurationKeyName("result_path")]
    public string? ResultPath { get; set; }

    /// <summary>
    /// The arguments' JSON schema, rebuilt from the <c>parameters</c> map by <see cref="ConfigurationJsonSchema"/>
    /// (the binder cannot read a free-form map into JSON, so this is not a bound property).
    /// </summary>
    internal JsonElement Parameters { get; set; }
}
