using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using AiAgent.Tests.Support;

namespace AiAgent.OpenAIRealtime.Tests.Support;

/// <summary>A raw client's side of the emulator's socket: JSON events out and in, as a test speaking the wire sees them.</summary>
internal static class RawRealtimeSocket
{
    public static Task SendAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next whole server event (a text message), within <paramref name="timeout"/> (default <see cref="Waits.Long"/>).</summary>
    public static async Task<JsonDocument> ReceiveAsync(WebSocket socket, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Waits.Long);
        var buffer = new byte[1 << 20];
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(length), cts.Token);
            length += result.Count;
        }
        while (!result.EndOfMessage);

        Assert.Equal(WebSocketMessageType.Text, result.MessageType);
        return JsonDocument.Parse(buffer.AsMemory(0, length));
    }

    public static string Type(JsonDocument e) => e.RootElement.GetProperty("type").GetString()!;
}
