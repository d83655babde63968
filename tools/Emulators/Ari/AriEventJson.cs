using System.Globalization;
using System.Text.Json;

namespace AiAgent.Emulators.Ari;

/// <summary>
/// Writes channels, bridges and events shaped like the events recorded from Asterisk 22 (same names, nesting and
/// field order; docs/protocols/asterisk.md#ari). Independent of the platform's ARI client types on purpose.
/// </summary>
internal static class AriEventJson
{
    public static string Timestamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture) + "+0000";

    public static void WriteChannel(Utf8JsonWriter w, EmulatedChannel c, bool withChannelVars = false)
    {
        w.WriteStartObject();
        w.WriteString("id", c.Id);
        w.WriteString("name", c.Name);
        w.WriteString("state", c.State);
        w.WriteString("protocol_id", string.Empty);
        w.WriteStartObject("caller");
        w.WriteString("name", c.CallerName);
        w.WriteString("number", c.CallerNumber);
        w.WriteEndObject();
        w.WriteStartObject("connected");
        w.WriteString("name", string.Empty);
        w.WriteString("number", string.Empty);
        w.WriteEndObject();
        w.WriteString("accountcode", string.Empty);
        w.WriteStartObject("dialplan");
        w.WriteString("context", c.Context);
        w.WriteString("exten", c.Exten);
        w.WriteNumber("priority", c.Priority);
        w.WriteString("app_name", c.AppName);
        w.WriteString("app_data", c.AppData);
        w.WriteEndObject();
        w.WriteString("creationtime", c.CreationTime);
        w.WriteString("language", "en");
        if (withChannelVars && c.ExternalUuid is { } uuid)
        {
            w.WriteStartObject("channelvars");
            w.WriteString("AUDIOSOCKET_UUID", uuid.ToString("D"));
            w.WriteString("AUDIOSOCKET_SERVICE", c.ExternalHost);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    public static void WriteBridge(Utf8JsonWriter w, EmulatedBridge b)
    {
        w.WriteStartObject();
        w.WriteString("id", b.Id);
        w.WriteString("technology", "simple_bridge");
        w.WriteString("bridge_type", b.BridgeType);
        w.WriteString("bridge_class", "stasis");
        w.WriteString("creator", "Stasis");
        w.WriteString("name", string.Empty);
        w.WriteStartArray("channels");
        foreach (var channel in b.Channels)
        {
            w.WriteStringValue(channel.Id);
        }

        w.WriteEndArray();
        w.WriteString("creationtime", b.CreationTime);
        w.WriteString("video_mode", "talker");
        w.WriteEndObject();
    }

    /// <summary>One event: <paramref name="body"/> writes the type-specific fields, then the common ones follow.</summary>
    public static string Event(string type, DateTimeOffset at, string asteriskId, string application, Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", type);
            w.WriteString("timestamp", Timestamp(at));
            body(w);
            w.WriteString("asterisk_id", asteriskId);
            w.WriteString("application", application);
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string Object(Action<Utf8JsonWriter> body)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            body(w);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string Message(string message) => Object(w =>
    {
        w.WriteStartObject();
        w.WriteString("message", message);
        w.WriteEndObject();
    });
}
