using System.Text.Json.Serialization;

namespace AiAgent.Grains.Asterisk.Ari;

/// <summary>Source-generated JSON for ARI: snake_case names as Asterisk writes them (exceptions carry their own names).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AriChannel))]
[JsonSerializable(typeof(List<AriChannel>))]
[JsonSerializable(typeof(AriBridge))]
[JsonSerializable(typeof(List<AriBridge>))]
[JsonSerializable(typeof(AriErrorBody))]
[JsonSerializable(typeof(AriVariableBody))]
[JsonSerializable(typeof(StasisStartEvent))]
[JsonSerializable(typeof(StasisEndEvent))]
[JsonSerializable(typeof(ChannelStateChangeEvent))]
[JsonSerializable(typeof(ChannelVarsetEvent))]
[JsonSerializable(typeof(ChannelDtmfReceivedEvent))]
[JsonSerializable(typeof(ChannelHangupRequestEvent))]
[JsonSerializable(typeof(ChannelDestroyedEvent))]
[JsonSerializable(typeof(ChannelEnteredBridgeEvent))]
[JsonSerializable(typeof(ChannelLeftBridgeEvent))]
[JsonSerializable(typeof(BridgeDestroyedEvent))]
[JsonSerializable(typeof(DialEvent))]
[JsonSerializable(typeof(UnknownAriEvent))]
internal sealed partial class AriJsonContext : JsonSerializerContext;

/// <summary>Asterisk's error body <c>{"message":…}</c>.</summary>
internal sealed record AriErrorBody(string? Message);

/// <summary>The body of <c>GET /channels/{id}/variable</c>: <c>{"value":…}</c>.</summary>
internal sealed record AriVariableBody(string? Value);
