using System.Text.Json.Serialization;

namespace AiAgent.Failover.Reporting;

/// <summary>Source-generated JSON for <c>report.json</c>.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true)]
[JsonSerializable(typeof(FailoverReport))]
internal sealed partial class FailoverJsonContext : JsonSerializerContext;
