using System.Text.Json;
using System.Text.Json.Serialization;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Silo.Api;

/// <summary>One live call in <c>GET /api/calls</c>, from its directory listing.</summary>
/// <param name="CallId">The AudioSocket call UUID.</param>
/// <param name="Provider">The provider serving the call.</param>
/// <param name="State">The call's state (<c>Connecting</c>, <c>Active</c>) at its last announcement.</param>
/// <param name="Format">The AudioSocket format (e.g. <c>slin@8000</c>).</param>
/// <param name="GatewayId">The gateway holding the call's socket.</param>
/// <param name="Silo">The silo running the call's activation.</param>
/// <param name="StartedAtUtc">When the call started.</param>
/// <param name="DurationSeconds">Seconds since the call started.</param>
/// <param name="Turns">Caller turns answered so far (turn latencies measured).</param>
/// <param name="LastTurnLatencyMs">The latest turn latency (end of caller speech to first agent frame played), if any.</param>
/// <param name="LastSeenUtc">When the call last announced itself (at least every heartbeat, 10 s).</param>
public sealed record LiveCall(
    Guid CallId,
    string Provider,
    CallState State,
    string Format,
    string? GatewayId,
    string? Silo,
    DateTime StartedAtUtc,
    double DurationSeconds,
    int Turns,
    double? LastTurnLatencyMs,
    DateTime LastSeenUtc)
{
    /// <summary>Maps a directory listing.</summary>
    public static LiveCall From(CallListing l, DateTime nowUtc) => new(
        l.CallId,
        l.Provider,
        l.State,
        l.Format.ToString(),
        l.GatewayId,
        l.Silo,
        l.StartedAtUtc,
        Math.Round((nowUtc - l.StartedAtUtc).TotalSeconds, 1),
        l.Turns,
        l.LastTurnLatencyMs,
        l.LastSeenUtc);
}

/// <summary>A call's snapshot, as returned by <c>GET /api/calls/{id}</c> and <c>GET /api/calls/{id}/history</c>.</summary>
/// <param name="CallId">The AudioSocket call UUID.</param>
/// <param name="State">The call's state.</param>
/// <param name="Provider">The provider serving the call.</param>
/// <param name="Format">The AudioSocket format (e.g. <c>slin@8000</c>).</param>
/// <param name="ProviderInputFormat">What the provider is sent.</param>
/// <param name="ProviderOutputFormat">What the provider sends.</param>
/// <param name="StartedAtUtc">When the call started.</param>
/// <param name="EndedAtUtc">When the call ended.</param>
/// <param name="EndReason">Why the call ended.</param>
/// <param name="DurationSeconds">Seconds from start to end (or to now while live).</param>
/// <param name="Counters">Frame, chunk and event counters.</param>
/// <param name="TurnLatenciesMs">Every measured turn latency, oldest first.</param>
/// <param name="LastTurnLatencyMs">The latest turn latency.</param>
/// <param name="Transcript">The conversation so far.</param>
/// <param name="GatewayId">The gateway holding the call's socket.</param>
/// <param name="Disposition">How the call ended, as the dialplan reads it (<c>hangup</c>, <c>transfer:&lt;name&gt;</c> ...).</param>
/// <param name="ToolCalls">The agent's tool calls, oldest first, with arguments and results.</param>
public sealed record CallDetails(
    Guid CallId,
    CallState State,
    string? Provider,
    string Format,
    string? ProviderInputFormat,
    string? ProviderOutputFormat,
    DateTime? StartedAtUtc,
    DateTime? EndedAtUtc,
    CallEndReason? EndReason,
    double? DurationSeconds,
    CallCounters Counters,
    IReadOnlyList<double> TurnLatenciesMs,
    double? LastTurnLatencyMs,
    IReadOnlyList<TranscriptLine> Transcript,
    string? GatewayId,
    string? Disposition,
    IReadOnlyList<ToolCallEntry> ToolCalls)
{
    /// <summary>Maps a grain snapshot.</summary>
    public static CallDetails From(CallSnapshot s, DateTime nowUtc) => new(
        s.CallId,
        s.State,
        s.Provider,
        s.Format.ToString(),
        s.ProviderInputFormat?.ToString(),
        s.ProviderOutputFormat?.ToString(),
        s.StartedAtUtc,
        s.EndedAtUtc,
        s.EndReason,
        s.StartedAtUtc is { } started ? Math.Round(((s.EndedAtUtc ?? nowUtc) - started).TotalSeconds, 1) : null,
        s.Counters,
        s.TurnLatenciesMs,
        s.TurnLatenciesMs.Count > 0 ? s.TurnLatenciesMs[^1] : null,
        s.Transcript,
        s.GatewayId,
        s.Disposition?.ToString(),
        s.ToolCalls);
}

/// <summary>Source-generated JSON for the call API (camelCase, enums as names).</summary>
/// <summary>The body of <c>POST /api/calls/{id}/end</c>.</summary>
/// <param name="Disposition">The wire text: <c>hangup</c>, <c>transfer:&lt;name&gt;</c>, <c>reconnect</c> or <c>error</c>.</param>
public sealed record EndCallRequest(string? Disposition);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(LiveCall[]))]
[JsonSerializable(typeof(CallDetails))]
[JsonSerializable(typeof(EndCallRequest))]
internal sealed partial class CallApiJsonContext : JsonSerializerContext;
