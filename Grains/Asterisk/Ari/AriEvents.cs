using System.Globalization;
using System.Text.Json.Serialization;

namespace AiAgent.Grains.Asterisk.Ari;

/// <summary>
/// An event from the ARI events WebSocket. The records below are the types the platform uses (docs/ari.md); any other
/// type arrives as <see cref="UnknownAriEvent"/>. Field names as Asterisk sends them (docs/protocols/asterisk.md#ari).
/// </summary>
public abstract record AriEvent
{
    /// <summary>The event type, e.g. <c>StasisStart</c>.</summary>
    public string Type { get; init; } = string.Empty;

    /// <summary>As Asterisk writes it: <c>2026-12-02T04:39:58.318+0000</c> (see <see cref="TryGetTimestamp"/>).</summary>
    public string? Timestamp { get; init; }

    /// <summary>The Asterisk's id (its MAC-like <c>asterisk_id</c>).</summary>
    public string? AsteriskId { get; init; }

    /// <summary>The Stasis application the event is for.</summary>
    public string? Application { get; init; }

    /// <summary>Parses <see cref="Timestamp"/> (its offset has no colon, which <see cref="DateTimeOffset.Parse(string)"/> rejects).</summary>
    public bool TryGetTimestamp(out DateTimeOffset timestamp) =>
        DateTimeOffset.TryParseExact(Timestamp, "yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out timestamp)
        || DateTimeOffset.TryParseExact(Timestamp?.Length > 5 ? Timestamp.Insert(Timestamp.Length - 2, ":") : Timestamp, "yyyy-MM-dd'T'HH:mm:ss.fffzzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out timestamp);
}

/// <summary>A channel entered the application (<c>Stasis(app,args…)</c> or external media).</summary>
public sealed record StasisStartEvent : AriEvent
{
    /// <summary>The <c>Stasis()</c> arguments; for external media <c>[data]</c>.</summary>
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>The channel.</summary>
    public AriChannel Channel { get; init; } = new();
}

/// <summary>A channel left the application.</summary>
public sealed record StasisEndEvent : AriEvent
{
    /// <summary>The channel.</summary>
    public AriChannel Channel { get; init; } = new();
}

/// <summary>A channel's state changed (e.g. to <c>Up</c> after answer).</summary>
public sealed record ChannelStateChangeEvent : AriEvent
{
    /// <summary>The channel, with its new state.</summary>
    public AriChannel Channel { get; init; } = new();
}

/// <summary>A variable was set.</summary>
public sealed record ChannelVarsetEvent : AriEvent
{
    /// <summary>The variable name.</summary>
    public string Variable { get; init; } = string.Empty;

    /// <summary>Its new value.</summary>
    public string Value { get; init; } = string.Empty;

    /// <summary>The channel; absent for a global variable.</summary>
    public AriChannel? Channel { get; init; }
}

/// <summary>The caller pressed a key (personal data: never log the digit at Information).</summary>
public sealed record ChannelDtmfReceivedEvent : AriEvent
{
    /// <summary>One of <c>0-9 * # A-D</c>.</summary>
    public string Digit { get; init; } = string.Empty;

    /// <summary>How long the key was held.</summary>
    public int DurationMs { get; init; }

    /// <summary>The channel.</summary>
    public AriChannel Channel { get; init; } = new();
}

/// <summary>A hangup was requested: far side <c>cause</c> 16; our own DELETE: <c>cause</c> 32 with <c>soft</c>.</summary>
public sealed record ChannelHangupRequestEvent : AriEvent
{
    /// <summary>The cause (or, with <see cref="Soft"/>, the soft-hangup flag).</summary>
    public int? Cause { get; init; }

    /// <summary>True for a soft hangup request.</summary>
    public bool? Soft { get; init; }

    /// <summary>The channel.</summary>
    public AriChannel Channel { get; init; } = new();
}

/// <summary>A channel is gone (after <c>StasisEnd</c> only with a channel subscription).</summary>
public sealed record ChannelDestroyedEvent : AriEvent
{
    /// <summary>Q.850 cause (0 when an AudioSocket server ended it).</summary>
    public int Cause { get; init; }

    /// <summary>e.g. <c>Normal Clearing</c>, <c>Unknown</c>.</summary>
    public string CauseTxt { get; init; } = string.Empty;

    /// <summary>The channel.</summary>
    public AriChannel Channel { get; init; } = new();
}

/// <summary>A channel entered a bridge.</summary>
public sealed record ChannelEnteredBridgeEvent : AriEvent
{
    /// <summary>The bridge, with its channels after the change.</summary>
    public AriBridge Bridge { get; init; } = new();

    /// <summary>The channel.</summary>
    public AriChannel? Channel { get; init; }
}

/// <summary>A channel left a bridge.</summary>
public sealed record ChannelLeftBridgeEvent : AriEvent
{
    /// <summary>The bridge, with its channels after the change.</summary>
    public AriBridge Bridge { get; init; } = new();

    /// <summary>The channel.</summary>
    public AriChannel Channel { get; init; } = new();
}

/// <summary>A bridge is gone.</summary>
public sealed record BridgeDestroyedEvent : AriEvent
{
    /// <summary>The bridge.</summary>
    public AriBridge Bridge { get; init; } = new();
}

/// <summary>A dial progressed (external media dials <c>AudioSocket/host:port/uuid</c>).</summary>
public sealed record DialEvent : AriEvent
{
    /// <summary>Empty while dialling, then e.g. <c>ANSWER</c>.</summary>
    [JsonPropertyName("dialstatus")]
    public string DialStatus { get; init; } = string.Empty;

    /// <summary>What was dialled, e.g. <c>127.0.0.1:8090/&lt;uuid&gt;</c>.</summary>
    [JsonPropertyName("dialstring")]
    public string? DialString { get; init; }

    /// <summary>The dialled channel.</summary>
    public AriChannel Peer { get; init; } = new();

    /// <summary>The calling channel, when there is one.</summary>
    public AriChannel? Caller { get; init; }
}

/// <summary>Any event type without a record here; <see cref="Json"/> is the raw event.</summary>
public sealed record UnknownAriEvent : AriEvent
{
    /// <summary>The event as received (may hold personal data: never log it at Information).</summary>
    [JsonIgnore]
    public string Json { get; init; } = string.Empty;
}
