using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using AiAgent.Emulators.Deepgram;
using Xunit;

namespace AiAgent.Deepgram.Tests;

/// <summary>
/// The emulator against a raw WebSocket client: it must hold peers to the v1 protocol the way the real API does
/// (docs/protocols/deepgram.md, "Limits and keepalive" and client obligations 2, 9 and 13), or it cannot catch a client that breaks it.
/// </summary>
public sealed class EmulatorProtocolTests
{
    private const string ValidSettings = """
        {"type":"Settings","audio":{"input":{"encoding":"linear16","sample_rate":16000},"output":{"encoding":"linear16","sample_rate":16000,"container":"none"}},
         "agent":{"language":"en","listen":{"provider":{"type":"deepgram","model":"nova-3"}},"think":{"provider":{"type":"open_ai","model":"gpt-4o-mini"},"prompt":"Be brief."},
                  "speak":{"provider":{"type":"deepgram","model":"aura-2-thalia-en"}}}}
        """;

    [Fact]
    public async Task Welcome_then_SettingsApplied_then_greeting_audio()
    {
        await using var emulator = await DeepgramEmulator.StartAsync(new DeepgramEmulatorOptions { BurstFactor = 50 });
        using var client = await ConnectAsync(emulator);
        var welcome = await ReceiveJsonAsync(client);
        Assert.Equal("Welcome", welcome.GetProperty("type").GetString());
        Assert.True(Guid.TryParse(welcome.GetProperty("request_id").GetString(), out _));

        await SendTextAsync(client, ValidSettings.Replace("\"prompt\":\"Be brief.\"}", "\"prompt\":\"Be brief.\"},\"greeting\":\"Hello there\"", StringComparison.Ordinal));
        Assert.Equal("SettingsApplied", (await ReceiveJsonAsync(client)).GetProperty("type").GetString());
        var text = await ReceiveJsonAsync(client);
        Assert.Equal("ConversationText", text.GetProperty("type").GetString());
        Assert.Equal("assistant", text.GetProperty("role").GetString());
        Assert.Equal("Hello there", text.GetProperty("content").GetString());
        var started = await ReceiveJsonAsync(client);
        Assert.Equal("AgentStartedSpeaking", started.GetProperty("type").GetString());
        foreach (var field in new[] { "total_latency", "tts_latency", "ttt_latency" })
        {
            Assert.Equal(JsonValueKind.Number, started.GetProperty(field).ValueKind);
        }

        long audioBytes = 0;
        while (true)
        {
            var (type, bytes) = await ReceiveAsync(client);
            if (type == WebSocketMessageType.Binary)
            {
                Assert.Equal(0, bytes.Length % 2); // linear16: whole samples
                audioBytes += bytes.Length;
                continue;
            }

            Assert.Equal("AgentAudioDone", JsonDocument.Parse(bytes).RootElement.GetProperty("type").GetString());
            break;
        }

        Assert.Equal(emulator.Sessions[0].AgentAudioBytesSent, audioBytes);
        Assert.True(audioBytes > 16_000 * 2, "the greeting should hold over a second of 16 kHz audio");
    }

    [Theory]
    [InlineData("{not json", "UNPARSABLE_CLIENT_MESSAGE")]
    [InlineData("[1,2]", "UNPARSABLE_CLIENT_MESSAGE")]
    [InlineData("""{"type":"KeepAlive"}""", "NON_SETTINGS_MESSAGE_BEFORE_SETTINGS")]
    [InlineData("""{"type":"InjectUserMessage","content":"hi"}""", "NON_SETTINGS_MESSAGE_BEFORE_SETTINGS")]
    [InlineData("""{"type":"SettingsConfiguration","audio":{"input":{"encoding":"mulaw","sample_rate":8000},"output":{"encoding":"mulaw","sample_rate":8000,"container":"none"}},"agent":{"listen":{"model":"nova-3"},"think":{"provider":{"type":"open_ai"},"model":"gpt-4o-mini","instructions":"x"},"speak":{"model":"aura-asteria-en"}}}""", "UNPARSABLE_CLIENT_MESSAGE")]
    public async Task Bad_first_message_gets_the_real_error_then_close(string message, string code)
    {
        await using var emulator = await DeepgramEmulator.StartAsync();
        using var client = await ConnectAsync(emulator);
        await ReceiveJsonAsync(client); // Welcome
        await SendTextAsync(client, message);
        await AssertErrorThenCloseAsync(client, code);
    }

    [Fact]
    public async Task Binary_audio_before_Settings_is_rejected()
    {
        await using var emulator = await DeepgramEmulator.StartAsync();
        using var client = await ConnectAsync(emulator);
        await ReceiveJsonAsync(client);
        await client.SendAsync(new byte[320], WebSocketMessageType.Binary, true, CancellationToken.None);
        await AssertErrorThenCloseAsync(client, "NON_SETTINGS_MESSAGE_BEFORE_SETTINGS");
    }

    [Fact]
    public async Task Second_Settings_is_rejected()
    {
        await using var emulator = await DeepgramEmulator.StartAsync();
        using var client = await ConnectAsync(emulator);
        await ReceiveJsonAsync(client);
        await SendTextAsync(client, ValidSettings);
        Assert.Equal("SettingsApplied", (await ReceiveJsonAsync(client)).GetProperty("type").GetString());
        await SendTextAsync(client, ValidSettings);
        await AssertErrorThenCloseAsync(client, "SETTINGS_ALREADY_APPLIED");
    }

    [Theory]
    [InlineData("\"encoding\":\"linear16\",\"sample_rate\":16000}", "\"encoding\":\"pcm\",\"sample_rate\":16000}")]
    [InlineData("\"output\":{\"encoding\":\"linear16\",\"sample_rate\":16000", "\"output\":{\"encoding\":\"linear16\",\"sample_rate\":22050")]
    [InlineData("\"output\":{\"encoding\":\"linear16\"", "\"output\":{\"encoding\":\"wav\"")]
    [InlineData("{\"type\":\"deepgram\",\"model\":\"nova-3\"}", "{\"model\":\"nova-3\"}")]
    [InlineData("\"model\":\"gpt-4o-mini\"", "\"model\":\"gpt-3\"")]
    public async Task Invalid_settings_are_rejected(string from, string to)
    {
        await using var emulator = await DeepgramEmulator.StartAsync();
        using var client = await ConnectAsync(emulator);
        await ReceiveJsonAsync(client);
        var settings = ValidSettings.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(ValidSettings, settings);
        await SendTextAsync(client, settings);
        await AssertErrorThenCloseAsync(client, "INVALID_SETTINGS");
    }

    [Fact]
    public async Task Idle_session_times_out_with_CLIENT_MESSAGE_TIMEOUT()
    {
        await using var emulator = await DeepgramEmulator.StartAsync(new DeepgramEmulatorOptions { IdleTimeout = TimeSpan.FromSeconds(1) });
        using var client = await ConnectAsync(emulator);
        await ReceiveJsonAsync(client);
        await SendTextAsync(client, ValidSettings);
        Assert.Equal("SettingsApplied", (await ReceiveJsonAsync(client)).GetProperty("type").GetString());
        await AssertErrorThenCloseAsync(client, "CLIENT_MESSAGE_TIMEOUT");
    }

    [Fact]
    public async Task Session_cap_ends_the_session_with_the_configured_error()
    {
        // The provider's cap tests inject this Error on a fake clock; here the emulator's own cap sends it.
        await using var emulator = await DeepgramEmulator.StartAsync(new DeepgramEmulatorOptions
        {
            MaxSessionLength = TimeSpan.FromMilliseconds(300),
            MaxSessionErrorCode = "SESSION_LIMIT_EXCEEDED",
        });
        using var client = await ConnectAsync(emulator);
        await ReceiveJsonAsync(client);
        await SendTextAsync(client, ValidSettings);
        Assert.Equal("SettingsApplied", (await ReceiveJsonAsync(client)).GetProperty("type").GetString());
        await AssertErrorThenCloseAsync(client, "SESSION_LIMIT_EXCEEDED");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Token wrong-key")]
    [InlineData("Basic emulator-key")]
    public async Task Bad_key_is_refused_with_401_at_upgrade(string? authorization)
    {
        await using var emulator = await DeepgramEmulator.StartAsync();
        using var client = new ClientWebSocket();
        client.Options.CollectHttpResponseDetails = true;
        if (authorization is not null)
        {
            client.Options.SetRequestHeader("Authorization", authorization);
        }

        await Assert.ThrowsAsync<WebSocketException>(() => client.ConnectAsync(new Uri(emulator.BaseUrl + DeepgramEmulator.Path), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, client.HttpStatusCode);
        Assert.Equal(1, emulator.RejectedAuthentications);
    }

    [Fact]
    public async Task Bearer_token_is_accepted()
    {
        await using var emulator = await DeepgramEmulator.StartAsync();
        using var client = await ConnectAsync(emulator, "Bearer emulator-key");
        Assert.Equal("Welcome", (await ReceiveJsonAsync(client)).GetProperty("type").GetString());
    }

    private static async Task<ClientWebSocket> ConnectAsync(DeepgramEmulator emulator, string authorization = "Token emulator-key")
    {
        var client = new ClientWebSocket();
        client.Options.SetRequestHeader("Authorization", authorization);
        await client.ConnectAsync(new Uri(emulator.BaseUrl + DeepgramEmulator.Path), new CancellationTokenSource(Waits.Long).Token);
        return client;
    }

    private static Task SendTextAsync(ClientWebSocket client, string text) =>
        client.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<(WebSocketMessageType Type, byte[] Bytes)> ReceiveAsync(ClientWebSocket client)
    {
        using var timeout = new CancellationTokenSource(Waits.Long);
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await client.ReceiveAsync(buffer, timeout.Token);
            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage || result.MessageType == WebSocketMessageType.Close)
            {
                return (result.MessageType, message.ToArray());
            }
        }
    }

    private static async Task<JsonElement> ReceiveJsonAsync(ClientWebSocket client)
    {
        var (type, bytes) = await ReceiveAsync(client);
        Assert.Equal(WebSocketMessageType.Text, type);
        return JsonDocument.Parse(bytes).RootElement.Clone();
    }

    private static async Task AssertErrorThenCloseAsync(ClientWebSocket client, string code)
    {
        var error = await ReceiveJsonAsync(client);
        Assert.Equal("Error", error.GetProperty("type").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("description").GetString()));
        var (type, _) = await ReceiveAsync(client);
        Assert.Equal(WebSocketMessageType.Close, type);
    }
}
