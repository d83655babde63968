using System.Text;
using System.Text.Json;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Tools;

/// <summary>
/// The JSON text a tool returns to the model: a result (JSON kept as it is, other text as a JSON string), capped so a
/// large answer cannot flood the model's context, or a short error the model can tell the caller about.
/// </summary>
public static class ToolResults
{
    /// <summary>The most result text given to the model (16 KB); more is cut and the cut is said.</summary>
    public const int MaxContentBytes = 16 * 1024;

    /// <summary>An <see cref="ToolCallOutcome.Ok"/> result from JSON text.</summary>
    public static ToolResult Ok(string json) => new(Cap(json), ToolCallOutcome.Ok);

    /// <summary>An <see cref="ToolCallOutcome.Ok"/> result from text that may or may not be JSON.</summary>
    public static ToolResult OkText(string text) => Ok(IsJson(text) ? text : JsonSerializer.Serialize(text, ToolJsonContext.Default.String));

    /// <summary>An error result, <c>{"error": "..."}</c>, with <paramref name="outcome"/> (Failed or TimedOut).</summary>
    public static ToolResult Error(string message, ToolCallOutcome outcome = ToolCallOutcome.Failed) =>
        new(ToolJson.Error(message), outcome);

    /// <summary>Whether <paramref name="text"/> is one JSON value.</summary>
    public static bool IsJson(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The JSON itself when within <see cref="MaxContentBytes"/>; else an object with the cut text and a note.</summary>
    public static string Cap(string json)
    {
        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes <= MaxContentBytes)
        {
            return json;
        }

        // Cut on a character boundary at about the cap, leaving room for the wrapper (escaping may add a little).
        var keep = MaxContentBytes - 512;
        var chars = Math.Min(json.Length, keep);
        while (Encoding.UTF8.GetByteCount(json.AsSpan(0, chars)) > keep)
        {
            chars -= 256;
        }

        if (chars > 0 && char.IsHighSurrogate(json[chars - 1]))
        {
            chars--;
        }

        var truncated = new TruncatedResult(true, $"the result was cut to its first {chars} characters of {json.Length} ({bytes} bytes)", json[..chars]);
        return JsonSerializer.Serialize(truncated, ToolJsonContext.Default.TruncatedResult);
    }
}


/// <summary>A result too large for the model, cut.</summary>
/// <param name="Truncated">Always true.</param>
/// <param name="Note">How much was kept.</param>
/// <param name="Partial">The start of the result's JSON text.</param>
public sealed record TruncatedResult(bool Truncated, string Note, string Partial);
