using System.Text.Json;
using System.Text.Json.Serialization;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Webhooks;

/// <summary>The body POSTed for an ended call (docs/webhook.md): the call's final record, camelCase as the call API.</summary>
/// <param name="Event">Always <c>call.ended</c>.</param>
/// <param name="CallId">The AudioSocket call UUID (also the <c>X-AiAgent-Delivery</c> header).</param>
/// <param name="StartedAtUtc">When the call started.</param>
/// <param name="EndedAtUtc">When it ended.</param>
/// <param name="DurationSeconds">Seconds from start to end.</param>
/// <param name="Provider">The provider that served it.</param>
/// <param name="Disposition">What the dialplan was told: <c>hangup</c>, <c>transfer:&lt;name&gt;</c>, <c>reconnect</c>, <c>error</c>.</param>
/// <param name="EndReason">Why it ended.</param>
/// <param name="Format">The AudioSocket format.</param>
/// <param name="GatewayId">The gateway that held the socket.</param>
/// <param name="Silo">The silo that ended it.</param>
/// <param name="Failovers">Times it was restored on another activation.</param>
/// <param name="Transcript">The conversation, oldest first.</param>
/// <param name="ToolCalls">The tool calls, oldest first (arguments and results as the JSON text exchanged with the model).</param>
/// <param name="TurnLatenciesMs">Each turn's latency, end of caller speech to the first agent audio.</param>
/// <param name="Counters">The audio path's counters.</param>
public sealed record WebhookPayload(
    string Event,
    Guid CallId,
    DateTime? StartedAtUtc,
    DateTime? EndedAtUtc,
    double? DurationSeconds,
    string? Provider,
    string? Disposition,
    CallEndReason? EndReason,
    string Format,
    string? GatewayId,
    string? Silo,
    int Failovers,
    IReadOnlyList<TranscriptLine> Transcript,
    IReadOnlyList<ToolCallEntry> ToolCalls,
    IReadOnlyList<double> TurnLatenciesMs,
    CallCounters Counters)
{
    /// <summary>The <see cref="Event"/> of an ended call.</summary>
    public const string CallEnded = "call.ended";

    /// <summary>Maps a call's final record.</summary>
    public static WebhookPayload From(CallSnapshot record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return new(
            CallEnded,
            record.CallId,
            record.StartedAtUtc,
            record.EndedAtUtc,
            record is { StartedAtUtc: { } started, EndedAtUtc: { } ended } ? Math.Round((ended - started).TotalSeconds, 3) : null,
            record.Provider,
            record.Disposition?.ToString(),
            record.EndReason,
            record.Format.ToString(),
            record.GatewayId,
            record.Silo,
            record.Failovers,
            record.Transcript,
            record.ToolCalls,
            record.TurnLatenciesMs,
            record.Counters);
    }

    /// <summary>The UTF-8 JSON body.</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, WebhookJsonContext.Default.WebhookPayload);
}

/// <summary>Source-generated JSON of the webhook body (camelCase, enums as names, as the call API).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(WebhookPayload))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
