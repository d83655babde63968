using System.Text.Json.Serialization;

namespace AiAgent.Grains.Providers.Deepgram;

// Wire shapes of the Voice Agent v1 API (docs/protocols/deepgram.md: Settings, client and server messages), serialized by the source generator below.
// Property names map with snake_case_lower; nulls are omitted so optional fields stay off the wire.

/// <summary>The <c>Settings</c> message: the first and only configuration frame of a session.</summary>
internal sealed record SettingsMessage(AudioSettings Audio, AgentSettings Agent)
{
    /// <summary>Always <c>Settings</c> (v1; the early-access <c>SettingsConfiguration</c> is rejected by v1).</summary>
    [JsonPropertyOrder(-1)]
    public string Type => "Settings";
}

/// <summary><c>audio</c>: the formats of both binary directions.</summary>
internal sealed record AudioSettings(AudioInputSettings Input, AudioOutputSettings Output);

/// <summary><c>audio.input</c>: always explicit, because the spec (24000) and the docs (16000) disagree on the default.</summary>
internal sealed record AudioInputSettings(string Encoding, int SampleRate);

/// <summary><c>audio.output</c>: raw frames (<c>container: none</c>) so bytes decode exactly as declared.</summary>
internal sealed record AudioOutputSettings(string Encoding, int SampleRate, string Container);

/// <summary><c>agent</c> (no <c>agent.language</c>: deprecated; the language goes on the listen provider).</summary>
internal sealed record AgentSettings(
    ListenSettings Listen,
    ThinkSettings Think,
    SpeakSettings Speak,
    string? Greeting,
    AgentContext? Context);

/// <summary><c>agent.listen</c>.</summary>
internal sealed record ListenSettings(ListenProvider Provider);

/// <summary><c>agent.listen.provider</c>: V1 (Nova) named explicitly, since <c>version</c> is what tells it from V2 (Flux).</summary>
internal sealed record ListenProvider(string Type, string Version, string Model, string Language);

/// <summary><c>agent.think</c>; <c>functions</c> omitted when the call offers none.</summary>
internal sealed record ThinkSettings(ThinkProvider Provider, string Prompt, IReadOnlyList<ThinkFunction>? Functions = null);

/// <summary>One <c>agent.think.functions</c> entry: without an <c>endpoint</c> it runs client-side (we answer <c>FunctionCallRequest</c>).</summary>
internal sealed record ThinkFunction(string Name, string Description, System.Text.Json.JsonElement Parameters);

/// <summary><c>agent.think.provider</c>.</summary>
internal sealed record ThinkProvider(string Type, string Model);

/// <summary><c>agent.speak</c>.</summary>
internal sealed record SpeakSettings(SpeakProvider Provider);

/// <summary><c>agent.speak.provider</c>: V1 (Aura) named explicitly, as for listen.</summary>
internal sealed record SpeakProvider(string Type, string Version, string Model);

/// <summary><c>agent.context</c>: conversation to seed after a reconnect, or from the start for a resumed call.</summary>
internal sealed record AgentContext(IReadOnlyList<HistoryItem> Messages);

/// <summary>One <c>History</c> item of <c>agent.context.messages</c>.</summary>
internal sealed record HistoryItem(string Role, string Content)
{
    /// <summary>Always <c>History</c>.</summary>
    [JsonPropertyOrder(-1)]
    public string Type => "History";
}

/// <summary><c>InjectUserMessage</c>: the agent answers as if the caller had said <see cref="Content"/>.</summary>
internal sealed record InjectUserMessage(string Content)
{
    /// <summary>Always <c>InjectUserMessage</c>.</summary>
    [JsonPropertyOrder(-1)]
    public string Type => "InjectUserMessage";
}

/// <summary><c>FunctionCallResponse</c>: the answer to a client-side <c>FunctionCallRequest</c>.</summary>
internal sealed record FunctionCallResponseMessage(string Id, string Name, string Content)
{
    /// <summary>Always <c>FunctionCallResponse</c>.</summary>
    [JsonPropertyOrder(-1)]
    public string Type => "FunctionCallResponse";
}

/// <summary>
/// Any server text frame. One flat shape for every <c>type</c> (each has a few optional fields), so a frame is
/// parsed once without a type-discriminator pass; unknown fields and types are ignored.
/// </summary>
internal sealed class ServerMessage
{
    public string? Type { get; set; }

    /// <summary><c>Welcome.request_id</c>.</summary>
    public string? RequestId { get; set; }

    /// <summary><c>ConversationText.role</c>.</summary>
    public string? Role { get; set; }

    /// <summary><c>ConversationText.content</c>, <c>AgentThinking.content</c>.</summary>
    public string? Content { get; set; }

    /// <summary><c>Error.code</c>, <c>Warning.code</c>.</summary>
    public string? Code { get; set; }

    /// <summary><c>Error.description</c>, <c>Warning.description</c>.</summary>
    public string? Description { get; set; }

    /// <summary><c>InjectionRefused.message</c>.</summary>
    public string? Message { get; set; }

    /// <summary><c>FunctionCallRequest.functions</c>.</summary>
    public List<FunctionCall>? Functions { get; set; }

    /// <summary><c>AgentStartedSpeaking.total_latency</c> (seconds).</summary>
    public double? TotalLatency { get; set; }

    /// <summary><c>AgentStartedSpeaking.tts_latency</c> (seconds).</summary>
    public double? TtsLatency { get; set; }

    /// <summary><c>AgentStartedSpeaking.ttt_latency</c> (seconds).</summary>
    public double? TttLatency { get; set; }
}

/// <summary>One entry of <c>FunctionCallRequest.functions</c>.</summary>
internal sealed class FunctionCall
{
    public string? Id { get; set; }

    public string? Name { get; set; }

    /// <summary>JSON-encoded arguments, as a string.</summary>
    public string? Arguments { get; set; }

    /// <summary>True when the client must run the function and answer with <c>FunctionCallResponse</c>.</summary>
    public bool ClientSide { get; set; }
}

/// <summary>Source-generated serializers for the messages above (no reflection on the audio path).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = false)]
[JsonSerializable(typeof(SettingsMessage))]
[JsonSerializable(typeof(InjectUserMessage))]
[JsonSerializable(typeof(FunctionCallResponseMessage))]
[JsonSerializable(typeof(ServerMessage))]
internal sealed partial class DeepgramJsonContext : JsonSerializerContext;
