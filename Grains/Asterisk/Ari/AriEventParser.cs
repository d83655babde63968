using System.Text;
using System.Text.Json;

namespace AiAgent.Grains.Asterisk.Ari;

/// <summary>Turns one events-WebSocket message into an <see cref="AriEvent"/>; never throws on bad input.</summary>
public static class AriEventParser
{
    /// <summary>
    /// Parses <paramref name="utf8Json"/>. Returns false with <paramref name="error"/> (no event content in it) when it is
    /// not a JSON object with a string <c>type</c> or a known type's fields do not fit; an unknown type gives
    /// <see cref="UnknownAriEvent"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> utf8Json, out AriEvent? ariEvent, out string? error)
    {
        ariEvent = null;
        error = null;
        try
        {
            var type = ReadType(utf8Json);
            if (type is null)
            {
                error = "no string 'type' property";
                return false;
            }

            var context = AriJsonContext.Default;
            ariEvent = type switch
            {
                "StasisStart" => JsonSerializer.Deserialize(utf8Json, context.StasisStartEvent),
                "StasisEnd" => JsonSerializer.Deserialize(utf8Json, context.StasisEndEvent),
                "ChannelStateChange" => JsonSerializer.Deserialize(utf8Json, context.ChannelStateChangeEvent),
                "ChannelVarset" => JsonSerializer.Deserialize(utf8Json, context.ChannelVarsetEvent),
                "ChannelDtmfReceived" => JsonSerializer.Deserialize(utf8Json, context.ChannelDtmfReceivedEvent),
                "ChannelHangupRequest" => JsonSerializer.Deserialize(utf8Json, context.ChannelHangupRequestEvent),
                "ChannelDestroyed" => JsonSerializer.Deserialize(utf8Json, context.ChannelDestroyedEvent),
                "ChannelEnteredBridge" => JsonSerializer.Deserialize(utf8Json, context.ChannelEnteredBridgeEvent),
                "ChannelLeftBridge" => JsonSerializer.Deserialize(utf8Json, context.ChannelLeftBridgeEvent),
                "BridgeDestroyed" => JsonSerializer.Deserialize(utf8Json, context.BridgeDestroyedEvent),
                "Dial" => JsonSerializer.Deserialize(utf8Json, context.DialEvent),
                _ => (JsonSerializer.Deserialize(utf8Json, context.UnknownAriEvent) ?? new UnknownAriEvent()) with { Json = Encoding.UTF8.GetString(utf8Json) },
            };
            if (ariEvent is null)
            {
                error = "JSON null";
                return false;
            }

            return true;
        }
        catch (JsonException e)
        {
            // The message names the path and position only, never a value.
            error = $"{e.GetType().Name} at {e.Path ?? "$"} (line {e.LineNumber}, byte {e.BytePositionInLine})";
            ariEvent = null;
            return false;
        }
    }

    /// <summary>The top-level <c>type</c> string, wherever it is in the object (Asterisk puts it after other fields).</summary>
    private static string? ReadType(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isType = reader.ValueTextEquals("type"u8);
            reader.Read();
            if (isType)
            {
                return reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
            }

            reader.Skip();
        }

        return null;
    }
}
