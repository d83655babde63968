using System.Text.Json.Serialization;

namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>The content of our answer to a client-side function call: we expose no tools.</summary>
internal sealed record FunctionErrorContent(string Error);

/// <summary>Serializer of <see cref="FunctionErrorContent"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(FunctionErrorContent))]
internal sealed partial class DeepgramToolJsonContext : JsonSerializerContext;
