using System.Buffers;
using System.Text;
using System.Text.Json;
using AiAgent.Grains.Providers.OpenAIRealtime;
using AiAgent.OpenAIRealtime.Tests.Support;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary>The one-pass server event reader and the hot-path append writer.</summary>
public sealed class ServerEventParserTests
{
    private static RealtimeServerEvent Parse(string json) => RealtimeServerEvent.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void An_audio_delta_decodes_to_exactly_its_bytes_wherever_type_appears()
    {
        var audio = Enumerable.Range(0, 1001).Select(i => (byte)(i * 7)).ToArray();
        var base64 = Convert.ToBase64String(audio);
        var e = Parse($$"""{"delta":"{{base64}}","event_id":"event_1","response_id":"resp_1","item_id":"item_A","output_index":0,"content_index":0,"type":"response.output_audio.delta"}""");
        Assert.Equal(ServerEventType.AudioDelta, e.Type);
        Assert.Equal(("item_A", "resp_1"), (e.ItemId, e.ResponseId));
        Assert.Equal(audio, e.DecodeAudioDelta());
    }

    [Fact]
    public void An_escaped_base64_delta_is_unescaped_first()
    {
        // A JSON writer may escape '+' as \u002B and '/' as \/: still the same audio.
        var audio = new byte[] { 0xFB, 0xEF, 0xBE, 0xFF, 0xFF, 0x3E };
        var base64 = Convert.ToBase64String(audio);
        Assert.Contains('+', base64);
        Assert.Contains('/', base64);
        var escaped = base64.Replace("+", "\\u002B", StringComparison.Ordinal).Replace("/", "\\/", StringComparison.Ordinal);
        var e = Parse($$"""{"type":"response.output_audio.delta","item_id":"i","delta":"{{escaped}}"}""");
        Assert.Equal(audio, e.DecodeAudioDelta());
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("ab!d")]
    public void Invalid_base64_is_reported_as_null(string delta) =>
        Assert.Null(Parse($$"""{"type":"response.output_audio.delta","item_id":"i","delta":"{{delta}}"}""").DecodeAudioDelta());

    [Theory]
    [InlineData("response.output_audio.delta", "AudioDelta")]
    [InlineData("response.audio.delta", "AudioDelta")]
    [InlineData("response.output_audio_transcript.done", "AudioTranscriptDone")]
    [InlineData("response.audio_transcript.done", "AudioTranscriptDone")]
    [InlineData("conversation.item.added", "ItemAdded")]
    [InlineData("conversation.item.created", "ItemAdded")]
    [InlineData("input_audio_buffer.speech_started", "SpeechStarted")]
    [InlineData("rate_limits.updated", "RateLimitsUpdated")]
    [InlineData("error", "Error")]
    [InlineData("response.mcp_call.completed", "Other")]
    public void GA_and_beta_names_map_to_one_kind(string type, string expected)
    {
        var e = Parse($$"""{"type":"{{type}}"}""");
        Assert.Equal(expected, e.Type.ToString());
        Assert.Equal(expected == "Other" ? type : null, e.RawType);
    }

    [Fact]
    public void Nested_objects_are_kept_as_slices_and_scalars_are_lifted()
    {
        var e = Parse("""{"type":"error","event_id":"event_E","error":{"type":"invalid_request_error","code":"invalid_value","message":"m","param":"x","event_id":"cli_9"}}""");
        using var doc = JsonDocument.Parse(e.Error);
        Assert.Equal("cli_9", doc.RootElement.GetProperty("event_id").GetString());

        var t = Parse("""{"type":"conversation.item.input_audio_transcription.delta","item_id":"item_U","content_index":0,"delta":"caf\u00e9 \"ok\""}""");
        Assert.Equal("café \"ok\"", t.DeltaText());

        var s = Parse("""{"type":"input_audio_buffer.speech_stopped","audio_end_ms":2950,"item_id":"item_U","session":null}""");
        Assert.Equal(2950, s.AudioEndMs);
        Assert.True(s.Session.IsEmpty);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{\"event_id\":\"x\"}")]
    [InlineData("{\"type\":1}")]
    [InlineData("{\"type\":\"error\"")]
    public void Not_an_event_throws_JsonException(string json) =>
        Assert.ThrowsAny<JsonException>(() => Parse(json));

    [Fact]
    public void The_append_writer_emits_a_GA_append_that_reuses_its_buffer()
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using var writer = new Utf8JsonWriter(buffer);
        var audio = Enumerable.Range(0, 160).Select(i => (byte)(i * 13)).ToArray();
        for (var round = 0; round < 3; round++)
        {
            buffer.ResetWrittenCount();
            writer.Reset(buffer);
            RealtimeJson.WriteAppend(writer, audio);
        }

        var json = Encoding.UTF8.GetString(buffer.WrittenSpan);
        Assert.Empty(GaClientEventChecker.Check(json));
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("input_audio_buffer.append", doc.RootElement.GetProperty("type").GetString());
        Assert.Equal(audio, doc.RootElement.GetProperty("audio").GetBytesFromBase64());
        Assert.Equal(2, doc.RootElement.EnumerateObject().Count());
    }
}
