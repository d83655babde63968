using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using AiAgent.Emulators.OpenAIRealtime;
using AiAgent.OpenAIRealtime.Tests.Support;

using static AiAgent.OpenAIRealtime.Tests.Support.RawRealtimeSocket;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary>
/// The emulator behaves like the real API toward any client (here a raw <see cref="ClientWebSocket"/>): it rejects
/// what the API rejects, with <c>error</c> events shaped like the API's, so it cannot hide provider mistakes.
/// </summary>
public sealed class EmulatorProtocolTests : IAsyncLifetime
{
    private const string Key = "sk-emulator-protocol-test";
    private OpenAIRealtimeEmulator _emulator = null!;

    public async Task InitializeAsync() => _emulator = await OpenAIRealtimeEmulator.StartAsync(new OpenAIRealtimeEmulatorOptions { ApiKey = Key });

    public async Task DisposeAsync() => await _emulator.DisposeAsync();

    [Fact]
    public async Task A_wrong_key_gets_401_at_the_upgrade()
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader("Authorization", "Bearer sk-wrong");
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(Uri(), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, socket.HttpStatusCode);
    }

    [Fact]
    public async Task A_beta_header_gets_beta_api_shape_disabled_then_close()
    {
        using var socket = await ConnectAsync(beta: true);
        var error = await ReceiveAsync(socket);
        Assert.Equal("error", Type(error));
        Assert.Equal("beta_api_shape_disabled", error.RootElement.GetProperty("error").GetProperty("code").GetString());
        var buffer = new byte[1024];
        var close = await socket.ReceiveAsync(buffer, CancellationToken.None);
        Assert.Equal(WebSocketMessageType.Close, close.MessageType);
    }

    [Fact]
    public async Task Session_created_comes_first_and_session_updated_carries_the_full_effective_session()
    {
        using var socket = await ConnectAsync();
        using var created = await ReceiveAsync(socket);
        Assert.Equal("session.created", Type(created));
        Assert.Equal("realtime", created.RootElement.GetProperty("session").GetProperty("type").GetString());

        await SendAsync(socket, """{"type":"session.update","event_id":"cli_a","session":{"type":"realtime","audio":{"output":{"format":{"type":"audio/pcmu"}}}}}""");
        using var updated = await ReceiveAsync(socket);
        Assert.Equal("session.updated", Type(updated));
        var audio = updated.RootElement.GetProperty("session").GetProperty("audio");
        Assert.Equal("audio/pcmu", audio.GetProperty("output").GetProperty("format").GetProperty("type").GetString());
        Assert.Equal(24000, audio.GetProperty("input").GetProperty("format").GetProperty("rate").GetInt32());
        Assert.Equal("server_vad", audio.GetProperty("input").GetProperty("turn_detection").GetProperty("type").GetString());
        Assert.Equal("marin", audio.GetProperty("output").GetProperty("voice").GetString());
        Assert.False(updated.RootElement.TryGetProperty("event_id", out var id) && id.GetString() == "cli_a");
    }

    public static TheoryData<string, string, string?> Rejected => new()
    {
        { """{"type":"ping","event_id":"cli_1"}""", "invalid_value", "type" },
        { """{"type":"response.cancel","event_id":"cli_1","reason":"barge-in"}""", "unknown_parameter", "reason" },
        { """{"type":"input_audio_buffer.append","event_id":"cli_1","audio":"AAAA","input_audio_format":"pcm16"}""", "unknown_parameter", "input_audio_format" },
        { """{"event_id":"cli_1"}""", "missing_required_parameter", "type" },
        { """{"type":"session.update","event_id":"cli_1","session":{"modalities":["audio","text"],"voice":"alloy"}}""", "unknown_parameter", "session.modalities" },
        { """{"type":"session.update","event_id":"cli_1","session":{"instructions":"x"}}""", "missing_required_parameter", "session.type" },
        { """{"type":"session.update","event_id":"cli_1","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcm","rate":16000}}}}}""", "invalid_value", "session.audio.input.format.rate" },
        { """{"type":"session.update","event_id":"cli_1","session":{"type":"realtime","audio":{"input":{"format":"pcm16"}}}}""", "invalid_value", "session.audio.input.format" },
        { """{"type":"session.update","event_id":"cli_1","session":{"type":"realtime","audio":{"output":{"format":{"type":"audio/wav"}}}}}""", "invalid_value", "session.audio.output.format.type" },
        { """{"type":"session.update","event_id":"cli_1","session":{"type":"realtime","audio":{"output":{"voice":"robot"}}}}""", "invalid_value", "session.audio.output.voice" },
        { """{"type":"session.update","event_id":"cli_1","session":{"type":"realtime","audio":{"input":{"turn_detection":{"type":"server_vad","eagerness":"high"}}}}}""", "unknown_parameter", "session.audio.input.turn_detection.eagerness" },
        { """{"type":"session.update","event_id":"cli_1","session":{"type":"realtime","audio":{"input":{"turn_detection":{"type":"server_vad","threshold":2}}}}}""", "invalid_value", "session.audio.input.turn_detection.threshold" },
        { """{"type":"session.update","event_id":"cli_1","session":{"type":"realtime","temperature":0.8}}""", "unknown_parameter", "session.temperature" },
        { """{"type":"input_audio_buffer.append","event_id":"cli_1","audio":"not base64!"}""", "invalid_value", "audio" },
        { """{"type":"input_audio_buffer.commit","event_id":"cli_1"}""", "input_audio_buffer_commit_empty", null },
        { """{"type":"output_audio_buffer.clear","event_id":"cli_1"}""", "invalid_value", "type" },
        { """{"type":"response.cancel","event_id":"cli_1"}""", "response_cancel_not_active", null },
        { """{"type":"conversation.item.create","event_id":"cli_1","item":{"type":"message","role":"assistant","content":[{"type":"output_audio","transcript":"hi"}]}}""", "invalid_value", "item.content[0].type" },
        { """{"type":"conversation.item.create","event_id":"cli_1","item":{"type":"message","role":"user","content":[{"type":"input_text"}]}}""", "missing_required_parameter", "item.content[0].text" },
        { """{"type":"conversation.item.truncate","event_id":"cli_1","item_id":"item_nope","content_index":0,"audio_end_ms":10}""", "item_not_found", "item_id" },
        { """{"type":"response.create","event_id":"cli_1","response":{"modalities":["audio"]}}""", "unknown_parameter", "response.modalities" },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public async Task Malformed_or_unknown_events_get_an_error_with_the_event_id_and_the_session_stays_open(string clientEvent, string code, string? param)
    {
        using var socket = await ConnectAsync();
        using var _ = await ReceiveAsync(socket); // session.created

        await SendAsync(socket, clientEvent);

        using var error = await ReceiveAsync(socket);
        Assert.Equal("error", Type(error));
        var e = error.RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", e.GetProperty("type").GetString());
        Assert.Equal(code, e.GetProperty("code").GetString());
        Assert.Equal(param, e.GetProperty("param").GetString());
        Assert.Equal("cli_1", e.GetProperty("event_id").GetString());
        Assert.False(string.IsNullOrEmpty(e.GetProperty("message").GetString()));

        // Errors are recoverable: the socket still answers.
        await SendAsync(socket, """{"type":"input_audio_buffer.clear"}""");
        using var cleared = await ReceiveAsync(socket);
        Assert.Equal("input_audio_buffer.cleared", Type(cleared));
    }

    [Fact]
    public async Task Invalid_json_gets_an_invalid_json_error()
    {
        using var socket = await ConnectAsync();
        using var _ = await ReceiveAsync(socket);
        await SendAsync(socket, "{not json");
        using var error = await ReceiveAsync(socket);
        Assert.Equal("invalid_json", error.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Truncate_past_the_audio_sent_is_an_error_and_within_it_is_confirmed()
    {
        using var socket = await ConnectAsync();
        using var _ = await ReceiveAsync(socket);
        await SendAsync(socket, """{"type":"response.create","event_id":"cli_r"}""");
        string? itemId = null;
        long audioMs = 0;
        while (true)
        {
            using var e = await ReceiveAsync(socket);
            var type = Type(e);
            if (type == "response.output_item.added")
            {
                itemId = e.RootElement.GetProperty("item").GetProperty("id").GetString();
            }
            else if (type == "response.output_audio.delta")
            {
                audioMs += e.RootElement.GetProperty("delta").GetBytesFromBase64().Length / 2 * 1000 / 24000;
            }
            else if (type == "response.done")
            {
                break;
            }
        }

        await SendAsync(socket, $$"""{"type":"conversation.item.truncate","event_id":"cli_t1","item_id":"{{itemId}}","content_index":0,"audio_end_ms":{{audioMs + 500}}}""");
        using (var error = await ReceiveAsync(socket))
        {
            Assert.Equal("error", Type(error));
            Assert.Equal("audio_end_ms", error.RootElement.GetProperty("error").GetProperty("param").GetString());
        }

        await SendAsync(socket, $$"""{"type":"conversation.item.truncate","event_id":"cli_t2","item_id":"{{itemId}}","content_index":0,"audio_end_ms":{{audioMs / 2}}}""");
        using var truncated = await ReceiveAsync(socket);
        Assert.Equal("conversation.item.truncated", Type(truncated));
        Assert.Equal(audioMs / 2, truncated.RootElement.GetProperty("audio_end_ms").GetInt64());
    }

    [Fact]
    public async Task A_response_follows_the_GA_event_sequence()
    {
        using var socket = await ConnectAsync();
        using var _ = await ReceiveAsync(socket);
        await SendAsync(socket, """{"type":"response.create"}""");
        var types = new List<string>();
        while (types.Count == 0 || types[^1] != "response.done")
        {
            using var e = await ReceiveAsync(socket);
            types.Add(Type(e));
        }

        var distinct = types.Where((t, i) => i == 0 || types[i - 1] != t).ToList();
        Assert.Equal(
            ["response.created", "rate_limits.updated", "response.output_item.added", "conversation.item.added", "response.content_part.added"],
            distinct.Take(5));
        Assert.Equal(
            ["response.output_audio.done", "response.output_audio_transcript.done", "response.content_part.done", "response.output_item.done", "conversation.item.done", "response.done"],
            distinct.TakeLast(6));
        Assert.Contains("response.output_audio.delta", types);
        Assert.Contains("response.output_audio_transcript.delta", types);
    }

    [Fact]
    public async Task Caller_speech_during_a_response_cancels_it_when_interrupt_response_is_true()
    {
        await using var paced = await OpenAIRealtimeEmulator.StartAsync(new OpenAIRealtimeEmulatorOptions { ApiKey = Key, AudioChunkIntervalMs = 100 });
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + Key);
        await socket.ConnectAsync(new Uri($"{paced.BaseUrl}/realtime?model=gpt-realtime"), CancellationToken.None);
        using (var created = await ReceiveAsync(socket))
        {
            // The default session: server_vad with interrupt_response true.
            Assert.True(created.RootElement.GetProperty("session").GetProperty("audio").GetProperty("input").GetProperty("turn_detection").GetProperty("interrupt_response").GetBoolean());
        }

        await SendAsync(socket, """{"type":"response.create"}""");
        await ReceiveUntilAsync(socket, "response.output_audio.delta");

        var speech = AiAgent.Emulators.OpenAIRealtime.RealtimeEmulatorAudio.FromPcm24k(AiAgent.Emulators.Common.VoiceAssets.Reply, RealtimeAudioFormatType.Pcm24k);
        await SendAsync(socket, $$"""{"type":"input_audio_buffer.append","audio":"{{Convert.ToBase64String(speech)}}"}""");
        var types = new List<string>();
        string? doneJson = null;
        while (doneJson is null)
        {
            using var e = await ReceiveAsync(socket);
            types.Add(Type(e));
            if (Type(e) == "response.done")
            {
                doneJson = e.RootElement.GetRawText();
            }
        }

        Assert.Contains("input_audio_buffer.speech_started", types);
        Assert.True(types.IndexOf("input_audio_buffer.speech_started") < types.IndexOf("response.done"));
        using var done = JsonDocument.Parse(doneJson);
        var response = done.RootElement.GetProperty("response");
        Assert.Equal("cancelled", response.GetProperty("status").GetString());
        Assert.Equal("turn_detected", response.GetProperty("status_details").GetProperty("reason").GetString());
    }

    [Fact]
    public async Task With_interrupt_response_false_speech_does_not_stop_a_response_but_response_cancel_does()
    {
        await using var paced = await OpenAIRealtimeEmulator.StartAsync(new OpenAIRealtimeEmulatorOptions { ApiKey = Key, AudioChunkIntervalMs = 100 });
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + Key);
        await socket.ConnectAsync(new Uri($"{paced.BaseUrl}/realtime?model=gpt-realtime"), CancellationToken.None);
        (await ReceiveAsync(socket)).Dispose(); // session.created
        await SendAsync(socket, """{"type":"session.update","session":{"type":"realtime","audio":{"input":{"turn_detection":{"type":"server_vad","interrupt_response":false}}}}}""");
        await SendAsync(socket, """{"type":"response.create"}""");
        await ReceiveUntilAsync(socket, "response.output_audio.delta");

        var speech = AiAgent.Emulators.OpenAIRealtime.RealtimeEmulatorAudio.FromPcm24k(AiAgent.Emulators.Common.VoiceAssets.Reply, RealtimeAudioFormatType.Pcm24k);
        await SendAsync(socket, $$"""{"type":"input_audio_buffer.append","audio":"{{Convert.ToBase64String(speech[..48_000])}}"}""");
        var types = new List<string>();
        while (!types.Contains("input_audio_buffer.speech_started"))
        {
            using var e = await ReceiveAsync(socket);
            types.Add(Type(e));
        }

        // The response keeps streaming after the caller's speech: only the client's cancel stops it.
        var afterSpeech = new List<string>();
        while (!afterSpeech.Contains("response.output_audio.delta"))
        {
            using var e = await ReceiveAsync(socket);
            afterSpeech.Add(Type(e));
        }

        Assert.DoesNotContain("response.done", types.Concat(afterSpeech));
        await SendAsync(socket, """{"type":"response.cancel","event_id":"cli_9"}""");
        string? doneJson = null;
        while (doneJson is null)
        {
            using var e = await ReceiveAsync(socket);
            Assert.NotEqual("error", Type(e));
            if (Type(e) == "response.done")
            {
                doneJson = e.RootElement.GetRawText();
            }
        }

        using var done = JsonDocument.Parse(doneJson);
        var response = done.RootElement.GetProperty("response");
        Assert.Equal("cancelled", response.GetProperty("status").GetString());
        Assert.Equal("client_cancelled", response.GetProperty("status_details").GetProperty("reason").GetString());
    }

    private Uri Uri() => new($"{_emulator.BaseUrl}/realtime?model=gpt-realtime");

    private async Task<ClientWebSocket> ConnectAsync(bool beta = false)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + Key);
        if (beta)
        {
            socket.Options.SetRequestHeader("OpenAI-Beta", "realtime=v1");
        }

        await socket.ConnectAsync(Uri(), CancellationToken.None);
        return socket;
    }

    /// <summary>Reads and drops server events up to and including the first of <paramref name="type"/>.</summary>
    private static async Task ReceiveUntilAsync(WebSocket socket, string type)
    {
        while (true)
        {
            using var e = await ReceiveAsync(socket);
            if (Type(e) == type)
            {
                return;
            }
        }
    }
}
