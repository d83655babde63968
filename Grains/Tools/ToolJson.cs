using System.Buffers;
using System.Text;
using System.Text.Json;

namespace AiAgent.Grains.Tools;

/// <summary>Small JSON objects handed back to the model (error results, the built-ins' answers).</summary>
public static class ToolJson
{
    /// <summary><c>{"error": message}</c>: what the model gets when a call could not be carried out.</summary>
    public static string Error(string message) => Object(("error", message));

    /// <summary>A flat object of string properties, in order.</summary>
    public static string Object(params ReadOnlySpan<(string Name, string Value)> properties)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in properties)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
