using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;

namespace AiAgent.Grains.Tools;

/// <summary>
/// The rules a tool definition must follow (name, description, an <c>object</c> parameters schema that is valid JSON
/// Schema 2020-12) and the check of the model's arguments against that schema (JsonSchema.Net). Config validators of
/// every tool source call <see cref="CheckDefinition"/> so a bad schema stops the start-up with the key named.
/// </summary>
public static partial class ToolSchema
{
    // Built once per definition: a definition is immutable and sources hand out the same instances call after call.
    private static readonly ConditionalWeakTable<ToolDefinition, JsonSchema> s_compiled = [];

    private static readonly EvaluationOptions s_list = new() { OutputFormat = OutputFormat.List };

    /// <summary>Whether <paramref name="name"/> is a function name both providers accept: <c>^[a-zA-Z0-9_-]{1,64}$</c>.</summary>
    public static bool IsToolName(string? name) => name is not null && ToolName().IsMatch(name);

    /// <summary>
    /// Appends an error per rule <paramref name="definition"/> breaks, each starting with <paramref name="key"/> (the YAML
    /// key of the tool, e.g. <c>tools.http[0]</c>).
    /// </summary>
    public static void CheckDefinition(string key, ToolDefinition definition, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(errors);
        if (!IsToolName(definition.Name))
        {
            errors.Add($"{key}.name: '{definition.Name}' is not a tool name (1-64 of A-Z a-z 0-9 _ -)");
        }

        if (string.IsNullOrWhiteSpace(definition.Description))
        {
            errors.Add($"{key}.description: required (the model reads it to decide when to call the tool)");
        }

        foreach (var problem in SchemaProblems(definition.Parameters))
        {
            errors.Add($"{key}.parameters: {problem}");
        }
    }

    /// <summary>What is wrong with <paramref name="parameters"/> as a tool's arguments schema; empty when nothing is.</summary>
    public static IReadOnlyList<string> SchemaProblems(JsonElement parameters)
    {
        if (parameters.ValueKind != JsonValueKind.Object)
        {
            return ["must be a JSON schema object ({ type: object, properties: ... })"];
        }

        if (!parameters.TryGetProperty("type", out var type) || !type.ValueEquals("object"u8))
        {
            return ["the schema's type must be 'object' (a function's arguments are one JSON object)"];
        }

        var meta = MetaSchemas.Draft202012.Evaluate(parameters, s_list);
        if (!meta.IsValid)
        {
            return [.. Failures(meta).Select(f => "not a valid JSON schema: " + f)];
        }

        try
        {
            Build(parameters);
            return [];
        }
        catch (Exception ex) when (ex is JsonSchemaException or JsonException or RefResolutionException or ArgumentException)
        {
            return ["not a valid JSON schema: " + ex.Message];
        }
    }

    /// <summary>
    /// Checks the model's <paramref name="arguments"/> text against the tool's schema: the parsed object, or null with
    /// <paramref name="problems"/> naming each failing path (what the model is told, so it can correct itself).
    /// Empty text counts as <c>{}</c> (a function without parameters).
    /// </summary>
    public static JsonElement? ParseArguments(ToolDefinition definition, string? arguments, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(definition);
        JsonElement parsed;
        try
        {
            using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(arguments) ? "{}" : arguments);
            parsed = document.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            problems = [$"the arguments are not JSON ({ex.Message})"];
            return null;
        }

        var results = Compiled(definition).Evaluate(parsed, s_list);
        if (results.IsValid)
        {
            problems = [];
            return parsed;
        }

        problems = Failures(results);
        return null;
    }

    /// <summary>The compiled schema of a definition (built on first use).</summary>
    internal static JsonSchema Compiled(ToolDefinition definition) => s_compiled.GetValue(definition, static d => Build(d.Parameters));

    // A registry of its own per schema: the global one would keep every schema built for the life of the process.
    private static JsonSchema Build(JsonElement schema) => JsonSchema.Build(schema, new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    private static List<string> Failures(EvaluationResults results)
    {
        var failures = new List<string>();
        foreach (var node in results.Details is { Count: > 0 } details ? details : [results])
        {
            if (node.Errors is null)
            {
                continue;
            }

            var path = node.InstanceLocation.ToString();
            path = path.Length == 0 ? "(the arguments object)" : path;
            foreach (var (keyword, message) in node.Errors)
            {
                // additionalProperties: false reports an empty keyword and a generic message.
                var text = keyword.Length == 0 && node.EvaluationPath.ToString().EndsWith("/additionalProperties", StringComparison.Ordinal)
                    ? "is not a parameter of this tool"
                    : message;
                failures.Add($"{path}: {text}");
            }
        }

        return failures.Count > 0 ? failures : ["the arguments do not match the tool's schema"];
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex ToolName();
}
