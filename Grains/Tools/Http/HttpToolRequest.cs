using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace AiAgent.Grains.Tools.Http;

/// <summary>
/// Builds an HTTP tool's request from the model's arguments: each <c>{arg}</c> of the URL takes its argument
/// (URL-escaped), and the other arguments go in a JSON body (POST, PUT, PATCH) or the query string (GET, DELETE).
/// </summary>
internal static partial class HttpToolRequest
{
    /// <summary>The request option the resilience pipeline reads the tool's total timeout from.</summary>
    public static readonly HttpRequestOptionsKey<TimeSpan> TimeoutOption = new("AiAgent.HttpTool.Timeout");

    /// <summary>Matches a <c>{name}</c> placeholder.</summary>
    [GeneratedRegex(@"\{([A-Za-z0-9_-]+)\}", RegexOptions.CultureInvariant)]
    public static partial Regex Placeholder();

    /// <summary>The placeholder names of <paramref name="url"/>.</summary>
    public static IEnumerable<string> Placeholders(string url) => Placeholder().Matches(url).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal);

    /// <summary>The request for <paramref name="arguments"/>; throws <see cref="ToolArgumentException"/> when a URL argument is missing.</summary>
    public static HttpRequestMessage Build(HttpToolSpec spec, JsonElement arguments)
    {
        var args = arguments.ValueKind == JsonValueKind.Object
            ? arguments.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal)
            : [];
        var inUrl = Placeholders(spec.UrlTemplate).ToHashSet(StringComparer.Ordinal);
        var url = Placeholder().Replace(spec.UrlTemplate, m => args.TryGetValue(m.Groups[1].Value, out var value) && value.ValueKind != JsonValueKind.Null
            ? Uri.EscapeDataString(AsText(value))
            : throw new ToolArgumentException($"argument '{m.Groups[1].Value}' is required (it is part of the URL)"));
        var rest = args.Where(a => !inUrl.Contains(a.Key)).ToList();

        var request = new HttpRequestMessage(spec.Method, spec.SendsBody ? url : WithQuery(url, rest));
        if (spec.SendsBody)
        {
            request.Content = new ByteArrayContent(JsonBody(rest));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        foreach (var (name, value) in spec.Headers)
        {
            if (name.Equals("Accept", StringComparison.OrdinalIgnoreCase))
            {
                request.Headers.Accept.Clear();
            }

            if (!request.Headers.TryAddWithoutValidation(name, value) && request.Content is { } content)
            {
                content.Headers.Remove(name);
                content.Headers.TryAddWithoutValidation(name, value);
            }
        }

        request.Options.Set(TimeoutOption, spec.Timeout);
        return request;
    }

    private static string WithQuery(string url, List<KeyValuePair<string, JsonElement>> args)
    {
        var query = new StringBuilder();
        foreach (var (name, value) in args)
        {
            // An array is the key repeated (ids=1&ids=2); a null is left out.
            var values = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList() : [value];
            foreach (var item in values.Where(v => v.ValueKind != JsonValueKind.Null))
            {
                query.Append(query.Length == 0 ? string.Empty : "&").Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(AsText(item)));
            }
        }

        if (query.Length == 0)
        {
            return url;
        }

        var separator = url.Contains('?', StringComparison.Ordinal) ? (url.EndsWith('?') || url.EndsWith('&') ? string.Empty : "&") : "?";
        return url + separator + query;
    }

    private static byte[] JsonBody(List<KeyValuePair<string, JsonElement>> args)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in args)
            {
                writer.WritePropertyName(name);
                value.WriteTo(writer);
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    // A string as itself, a number or boolean as its JSON text, an object or array as compact JSON.
    private static string AsText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => value.GetRawText(),
    };
}

/// <summary>Selects the part of a JSON document a dot path names: <c>data.status</c>, array indices as <c>items.0.name</c>.</summary>
internal static class JsonResultPath
{
    /// <summary>The element at <paramref name="path"/>, or false when some step is missing.</summary>
    public static bool TrySelect(JsonElement root, string path, out JsonElement selected)
    {
        selected = root;
        foreach (var step in path.Split('.'))
        {
            if (selected.ValueKind == JsonValueKind.Object && selected.TryGetProperty(step, out var property))
            {
                selected = property;
            }
            else if (selected.ValueKind == JsonValueKind.Array
                && int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index < selected.GetArrayLength())
            {
                selected = selected[index];
            }
            else
            {
                return false;
            }
        }

        return true;
    }
}
