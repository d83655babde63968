using System.Text.Json.Serialization;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

// The client events this provider sends, in the GA shape (docs/protocols/openai-realtime.md, Client events). Nulls are omitted, so only the
// fields we set reach the server ("only the fields you send are changed"). input_audio_buffer.append is not here:
// it is written straight into a pooled buffer on the hot path (RealtimeJson.WriteAppend).

/// <summary><c>session.update</c>.</summary>
internal sealed record SessionUpdateEvent(
    [property: JsonPropertyName("event_id")] string EventId,
    [property: JsonPropertyName("session")] RealtimeSessionConfig Session)
{
    /// <summary>Always <c>session.update</c>.</summary>
    [JsonPropertyName("type"), JsonPropertyOrder(-1)]
    public string Type => "session.update";
}

/// <summary>The GA session object (<c>type: "realtime"</c> is required).</summary>
internal sealed record RealtimeSessionConfig(
    [property: JsonPropertyName("instructions")] string Instructions,
    [property: JsonPropertyName("output_modalities")] IReadOnlyList<string> OutputModalities,
    [property: JsonPropertyName("audio")] RealtimeAudioConfig Audio)
{
    /// <summary>The GA discriminator.</summary>
    [JsonPropertyName("type"), JsonPropertyOrder(-1)]
    public string Type => "realtime";

    /// <summary><c>tools</c>: the functions the model may call; null (omitted) when the call offers none.</summary>
    [JsonPropertyName("tools")]
    public IReadOnlyList<RealtimeFunctionTool>? Tools { get; init; }

    /// <summary><c>tool_choice</c>: <c>auto</c> when tools are offered (the model decides), else omitted.</summary>
    [JsonPropertyName("tool_choice")]
    public string? ToolChoice { get; init; }
}

/// <summary>One <c>session.tools</c> entry: <c>{type: "function", name, description, parameters}</c>.</summary>
internal sealed record RealtimeFunctionTool(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("description")] string Description,
    [property: JsonPropertyName("parameters")] System.Text.Json.JsonElement Parameters)
{
    /// <summary>Always <c>function</c>.</summary>
    [JsonPropertyName("type"), JsonPropertyOrder(-1)]
    public string Type => "function";
}

/// <summary><c>session.audio</c>.</summary>
internal sealed record RealtimeAudioConfig(
    [property: JsonPropertyName("input")] RealtimeAudioInputConfig Input,
    [property: JsonPropertyName("output")] RealtimeAudioOutputConfig Output);

/// <summary><c>session.audio.input</c>.</summary>
internal sealed record RealtimeAudioInputConfig(
    [property: JsonPropertyName("format")] RealtimeAudioFormat Format,
    [property: JsonPropertyName("transcription")] RealtimeTranscriptionConfig? Transcription,
    [property: JsonPropertyName("turn_detection")] RealtimeTurnDetectionConfig TurnDetection);

/// <summary><c>session.audio.output</c>.</summary>
internal sealed record RealtimeAudioOutputConfig(
    [property: JsonPropertyName("format")] RealtimeAudioFormat Format,
    [property: JsonPropertyName("voice")] string Voice);

/// <summary>A GA audio format object: <c>{"type":"audio/pcm","rate":24000}</c>, <c>{"type":"audio/pcmu"}</c>, <c>{"type":"audio/pcma"}</c>.</summary>
internal sealed record RealtimeAudioFormat(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("rate")] int? Rate);

/// <summary><c>session.audio.input.transcription</c>.</summary>
internal sealed record RealtimeTranscriptionConfig([property: JsonPropertyName("model")] string Model);

/// <summary><c>session.audio.input.turn_detection</c> (server_vad or semantic_vad; fields of the other type stay null).</summary>
internal sealed record RealtimeTurnDetectionConfig(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("threshold")] double? Threshold,
    [property: JsonPropertyName("prefix_padding_ms")] int? PrefixPaddingMs,
    [property: JsonPropertyName("silence_duration_ms")] int? SilenceDurationMs,
    [property: JsonPropertyName("eagerness")] string? Eagerness,
    [property: JsonPropertyName("create_response")] bool CreateResponse,
    [property: JsonPropertyName("interrupt_response")] bool InterruptResponse);

/// <summary><c>response.create</c>.</summary>
internal sealed record ResponseCreateEvent(
    [property: JsonPropertyName("event_id")] string EventId,
    [property: JsonPropertyName("response")] ResponseCreateParams? Response)
{
    /// <summary>Always <c>response.create</c>.</summary>
    [JsonPropertyName("type"), JsonPropertyOrder(-1)]
    public string Type => "response.create";
}

/// <summary>Per-response overrides of <c>response.create</c>.</summary>
internal sealed record ResponseCreateParams([property: JsonPropertyName("instructions")] string? Instructions);

/// <summary><c>response.cancel</c>.</summary>
internal sealed record ResponseCancelEvent(
    [property: JsonPropertyName("event_id")] string EventId,
    [property: JsonPropertyName("response_id")] string? ResponseId)
{
    /// <summary>Always <c>response.cancel</c>.</summary>
    [JsonPropertyName("type"), JsonPropertyOrder(-1)]
    public string Type => "response.cancel";
}

/// <summary><c>conversation.item.create</c> with a message item.</summary>
internal sealed record ConversationItemCreateEvent(
    [property: JsonPropertyName("event_id")] string EventId,
    [property: JsonPropertyName("item")] RealtimeMessageItem Item)
{
    /// <summary>Always <c>conversation.item.create</c>.</summary>
    [JsonPropertyName("type"), JsonPropertyOrder(-1)]
    public string Type => "conversation.item.create";
}

/// <summary><c>conversation.item.create</c> with a <c>function_call_output</c> item: a tool's result for the model.</summary>
internal sealed record FunctionCallOutputCreateEvent(
    [property: JsonPropertyName("event_id")] string EventId,
    [property: JsonPropertyName("item")] FunctionCallOutputItem Item)
{
    /// <summary>Always <c>conversation.item.create</c>.</summary>
    [JsonPropertyName("type"), JsonPropertyOrder(-1)]
    public string Type => "conversation.item.create";
}

/// <summary><c>{type: "function_call_output", call_id, output}</c>: <c>output</c> is the result's JSON as a string.</summary>
internal sealed record FunctionCallOutputItem(
    [property: JsonPropertyName("call_id")] string CallId,
    [property: JsonPropertyName("output")] string Output)
{
    /// <summary>Always <c>function_call_output</c>.</summary>
    [JsonPropertyName("type"), JsonPropertyOrder(-1)]
    public string Type => "function_call_output";
}

/// <summary>A message item: role <c>user</c> with <c>input_text</c>, or <c>assistant</c> with <c>output_text</c>.</summary>
internal sealed record RealtimeMessageItem(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] IReadOnlyList<RealtimeContentPart> Content)
{
    /// <summary>Always <c>message</c>.</summary>
    [JsonPropertyName("type"), JsonPropertyOrder(-1)]
    public string Type => "message";
}

/// <summary>A text content part (<c>input_text</c> or <c>output_text</c>).</summary>
internal sealed record RealtimeContentPart(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("text")] string Text);

/// <summary><c>conversation.item.truncate</c>: what the caller actually heard of an assistant item.</summary>
internal sealed record ConversationItemTruncateEvent(
    [property: JsonPropertyName("event_id")] string EventId,
    [property: JsonPropertyName("item_id")] string ItemId,
    [property: JsonPropertyName("content_index")] int ContentIndex,
    [property: JsonPropertyName("audio_end_ms")] long AudioEndMs)
{
    /// <summary>Always <c>conversation.item.truncate</c>.</summary>
    [JsonPropertyName("type"), JsonPropertyOrder(-1)]
    public string Type => "conversation.item.truncate";
}

/// <summary>Source-generated serialization of the client events (no reflection, trimming-safe).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SessionUpdateEvent))]
[JsonSerializable(typeof(ResponseCreateEvent))]
[JsonSerializable(typeof(ResponseCancelEvent))]
[JsonSerializable(typeof(ConversationItemCreateEvent))]
[JsonSerializable(typeof(FunctionCallOutputCreateEvent))]
[JsonSerializable(typeof(ConversationItemTruncateEvent))]
internal sealed partial class RealtimeJsonContext : JsonSerializerContext;
