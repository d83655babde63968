using System.Text.Json;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>Small readers for the JSON slices of server events, and the caller-audio append writer.</summary>
internal static class RealtimeJson
{
    /// <summary>The top-level <c>id</c> of an object, read without building a document.</summary>
    public static string? ReadId(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            if (isId && reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString();
            }

            reader.Skip();
        }

        return null;
    }

    /// <summary><c>session.expires_at</c> (unix seconds), when the server states it.</summary>
    public static DateTimeOffset? ReadExpiresAt(ReadOnlySpan<byte> session)
    {
        if (session.IsEmpty)
        {
            return null;
        }

        var reader = new Utf8JsonReader(session);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isExpiry = reader.ValueTextEquals("expires_at"u8);
            reader.Read();
            if (isExpiry)
            {
                return reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var seconds) && seconds > 0
                    ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                    : null;
            }

            reader.Skip();
        }

        return null;
    }

    /// <summary>Writes <c>{"type":"input_audio_buffer.append","audio":"&lt;base64&gt;"}</c> (no event_id: appends are never acknowledged).</summary>
    public static void WriteAppend(Utf8JsonWriter json, ReadOnlySpan<byte> audio)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "input_audio_buffer.append"u8);
        json.WriteBase64String("audio"u8, audio);
        json.WriteEndObject();
        json.Flush();
    }

    public static string? GetString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static int GetInt(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : 0;

    public static long GetLong(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var i) ? i : 0;
}
