using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace AiAgent.Grains.Tools;

/// <summary>Source-generated JSON of the tools' own documents (snake_case, as the model and the config spell keys).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(TruncatedResult))]
internal sealed partial class ToolJsonContext : JsonSerializerContext;

/// <summary>JSON nodes, for schemas rebuilt from configuration and request bodies.</summary>
[JsonSerializable(typeof(JsonNode))]
[JsonSerializable(typeof(JsonObject))]
internal sealed partial class JsonNodeContext : JsonSerializerContext;
