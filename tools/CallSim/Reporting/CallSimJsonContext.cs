using System.Text.Json.Serialization;

namespace AiAgent.CallSim.Reporting;

/// <summary>Source-generated JSON for the <c>--json</c> summaries.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true)]
[JsonSerializable(typeof(CallSummary))]
[JsonSerializable(typeof(LoadSummary))]
[JsonSerializable(typeof(LoadRunReport))]
public sealed partial class CallSimJsonContext : JsonSerializerContext;
