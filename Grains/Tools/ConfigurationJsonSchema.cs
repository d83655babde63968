using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;

namespace AiAgent.Grains.Tools;

/// <summary>
/// Turns a configuration section holding a JSON schema (a YAML map such as a tool's <c>parameters</c>) back into JSON.
/// </summary>
/// <remarks>
/// YAML reaches <see cref="IConfiguration"/> as strings only (<c>minimum: 1</c> and <c>minimum: "1"</c> are the same
/// key), so scalars are typed by the JSON Schema keyword that holds them: the numeric keywords (<c>minimum</c>,
/// <c>maxLength</c>, ...) become numbers, the boolean ones (<c>uniqueItems</c>, a scalar <c>additionalProperties</c>, ...)
/// booleans, and the values of <c>enum</c>, <c>const</c>, <c>default</c> and <c>examples</c> follow the sibling
/// <c>type</c> (<c>integer</c>/<c>number</c>: numbers, <c>boolean</c>: booleans, anything else: strings). Every other
/// scalar (<c>type</c>, <c>description</c>, <c>pattern</c>, the names in <c>required</c>) stays a string. A map whose
/// keys are 0, 1, 2, ... is a YAML list and becomes an array. An empty map or list leaves no key in the
/// configuration, so it is absent from the JSON too (<c>required: []</c> means the same as no <c>required</c>).
/// </remarks>
public static class ConfigurationJsonSchema
{
    private static readonly HashSet<string> NumberKeywords = new(StringComparer.Ordinal)
    {
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength",
        "minItems", "maxItems", "minProperties", "maxProperties", "minContains", "maxContains",
    };

    private static readonly HashSet<string> BooleanKeywords = new(StringComparer.Ordinal)
    {
        "uniqueItems", "additionalProperties", "unevaluatedProperties", "additionalItems", "readOnly", "writeOnly",
        "deprecated", "nullable",
    };

    private static readonly HashSet<string> TypedValueKeywords = new(StringComparer.Ordinal) { "enum", "const", "default", "examples" };

    /// <summary>The section as JSON; a section with neither value nor children gives <c>null</c>.</summary>
    public static JsonElement ToJson(IConfigurationSection section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var node = Convert(section, keyword: null, siblingType: null);
        return JsonSerializer.SerializeToElement(node, JsonNodeContext.Default.JsonNode);
    }

    private static JsonNode? Convert(IConfigurationSection section, string? keyword, string? siblingType)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return section.Value is null ? null : Scalar(section.Value, keyword, siblingType);
        }

        if (IsList(children))
        {
            var array = new JsonArray();
            foreach (var child in children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)))
            {
                // A list's items are values of the keyword that holds the list (enum: [a, b]).
                array.Add(Convert(child, keyword, siblingType));
            }

            return array;
        }

        // An object: a schema (its own "type" types its enum/const/default values) or a map of schemas (properties).
        var type = children.FirstOrDefault(c => c.Key == "type" && c.Value is not null)?.Value;
        var obj = new JsonObject();
        foreach (var child in children)
        {
            obj[child.Key] = Convert(child, child.Key, type);
        }

        return obj;
    }

    private static bool IsList(List<IConfigurationSection> children)
    {
        var indices = new HashSet<int>();
        foreach (var child in children)
        {
            if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index) || !indices.Add(index))
            {
                return false;
            }
        }

        return indices.Min() == 0 && indices.Max() == children.Count - 1;
    }

    private static JsonNode Scalar(string value, string? keyword, string? siblingType)
    {
        if (keyword is null)
        {
            return JsonValue.Create(value);
        }

        if (NumberKeywords.Contains(keyword) || (TypedValueKeywords.Contains(keyword) && siblingType is "integer" or "number"))
        {
            return AsNumber(value) ?? JsonValue.Create(value);
        }

        if (BooleanKeywords.Contains(keyword) || (TypedValueKeywords.Contains(keyword) && siblingType is "boolean"))
        {
            return bool.TryParse(value, out var flag) ? JsonValue.Create(flag) : JsonValue.Create(value);
        }

        return JsonValue.Create(value);
    }

    // Kept as written (1, 0.5, 1e3) so an integer stays an integer; not a number: left a string for the schema check to name.
    private static JsonNode? AsNumber(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? JsonNode.Parse(long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var integer)
                ? integer.ToString(CultureInfo.InvariantCulture)
                : number.ToString("R", CultureInfo.InvariantCulture))
            : null;
}
