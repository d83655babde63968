using System.Text.Json.Serialization;

namespace AiAgent.Grains.Asterisk.Ari;

/// <summary>An ARI <c>Channel</c> (the fields we use; names as Asterisk sends them, see docs/protocols/asterisk.md#ari).</summary>
public sealed record AriChannel
{
    /// <summary>The unique id, e.g. <c>1796186398.9</c>.</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>The channel name, e.g. <c>AudioSocket/127.0.0.1:8090-&lt;uuid&gt;</c>.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary><c>Down</c>, <c>Ring</c>, <c>Up</c> …</summary>
    public string State { get; init; } = string.Empty;

    /// <summary>Caller id (personal data: never log it at Information).</summary>
    public AriCallerId? Caller { get; init; }

    /// <summary>Connected line id.</summary>
    public AriCallerId? Connected { get; init; }

    /// <summary>Where the channel is in the dialplan.</summary>
    public AriDialplan? Dialplan { get; init; }

    /// <summary><c>channelvars</c>, present on some answers (external media: <c>AUDIOSOCKET_UUID</c>, <c>AUDIOSOCKET_SERVICE</c>).</summary>
    [JsonPropertyName("channelvars")]
    public IReadOnlyDictionary<string, string>? ChannelVars { get; init; }

    /// <summary><c>creationtime</c> as Asterisk writes it (<c>2026-12-02T04:39:58.317+0000</c>).</summary>
    [JsonPropertyName("creationtime")]
    public string? CreationTime { get; init; }

    /// <summary>Language, e.g. <c>en</c>.</summary>
    public string? Language { get; init; }
}

/// <summary>Caller or connected-line id.</summary>
public sealed record AriCallerId
{
    /// <summary>Name.</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>Number.</summary>
    public string Number { get; init; } = string.Empty;
}

/// <summary>A channel's dialplan location.</summary>
public sealed record AriDialplan
{
    /// <summary>Context.</summary>
    public string Context { get; init; } = string.Empty;

    /// <summary>Extension.</summary>
    public string Exten { get; init; } = string.Empty;

    /// <summary>Priority.</summary>
    public long Priority { get; init; }

    /// <summary>The application running, e.g. <c>Stasis</c>.</summary>
    public string? AppName { get; init; }

    /// <summary>Its arguments, e.g. <c>aiagent,arg1</c>.</summary>
    public string? AppData { get; init; }
}
