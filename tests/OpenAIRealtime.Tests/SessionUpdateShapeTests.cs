using AiAgent.Grains.Interfaces.Audio;
using AiAgent.OpenAIRealtime.Tests.Support;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary>The exact <c>session.update</c> on the wire for each format choice, and the session the server confirmed.</summary>
public sealed class SessionUpdateShapeTests
{
    private const string Pcmu = """{"type":"audio/pcmu"}""";
    private const string Pcma = """{"type":"audio/pcma"}""";
    private const string Pcm = """{"type":"audio/pcm","rate":24000}""";
    private const string ServerVad = """{"type":"server_vad","threshold":0.5,"prefix_padding_ms":300,"silence_duration_ms":500,"create_response":true,"interrupt_response":false}""";

    public static TheoryData<string, string, string, string, string> Cases => new()
    {
        // call format, input_encoding, output_encoding, expected input format, expected output format
        { "slin8", "auto", "auto", Pcmu, Pcmu },
        { "ulaw8", "auto", "auto", Pcmu, Pcmu },
        { "alaw8", "auto", "auto", Pcma, Pcma },
        { "slin16", "auto", "auto", Pcm, Pcm },
        { "slin24", "auto", "auto", Pcm, Pcm },
        { "slin48", "auto", "auto", Pcm, Pcm },
        { "slin8", "pcm16", "pcmu", Pcm, Pcmu },
        { "slin24", "pcma", "pcm16", Pcma, Pcm },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Session_update_is_exactly_the_GA_shape(string call, string inputEncoding, string outputEncoding, string expectedIn, string expectedOut)
    {
        await using var h = await Harness.StartAsync(provider: o =>
        {
            o.InputEncoding = inputEncoding;
            o.OutputEncoding = outputEncoding;
        });
        await using var session = h.CreateSession(ProviderConversationTests.Call(call));
        await session.StartAsync(CancellationToken.None);

        var update = await h.Emulator.WaitForClientEventAsync("session.update", Waits.Long);
        var expected =
            "{\"type\":\"session.update\",\"event_id\":\"cli_1\",\"session\":{\"type\":\"realtime\",\"instructions\":\"You are a test agent.\"," +
            "\"output_modalities\":[\"audio\"],\"audio\":{\"input\":{\"format\":" + expectedIn +
            ",\"transcription\":{\"model\":\"gpt-4o-mini-transcribe\"},\"turn_detection\":" + ServerVad +
            "},\"output\":{\"format\":" + expectedOut + ",\"voice\":\"marin\"}}}}";
        Assert.Equal(expected, update.Json);
        Assert.Empty(GaClientEventChecker.Check(update.Json));

        // The session waited for session.created before updating, and for session.updated before anything else.
        var sent = h.Emulator.SentEvents;
        Assert.Equal("session.created", sent[0].Type);
        Assert.Equal("session.updated", sent[1].Type);
        Assert.Contains($"\"format\":{expectedIn}", sent[1].Json, StringComparison.Ordinal);
        Assert.Equal("session.update", h.Emulator.ReceivedEvents[0].Type);
        Assert.Equal(new(Declared(expectedIn), Declared(expectedOut)), session.Formats);
    }

    private static AudioFormat Declared(string wire) => wire switch
    {
        Pcmu => AudioFormat.Mulaw8,
        Pcma => AudioFormat.Alaw8,
        _ => AudioFormat.Slin24,
    };

    [Fact]
    public async Task Semantic_vad_without_transcription_sends_only_its_own_fields()
    {
        await using var h = await Harness.StartAsync(provider: o =>
        {
            o.TurnDetection.Type = "semantic_vad";
            o.TurnDetection.Eagerness = "high";
            o.TranscriptionModel = string.Empty;
            o.Voice = "cedar";
            o.Instructions = "Say \"hi\" – politely.";
        });
        await using var session = h.CreateSession(AudioFormat.Slin16);
        await session.StartAsync(CancellationToken.None);

        var update = await h.Emulator.WaitForClientEventAsync("session.update", Waits.Long);
        using var doc = update.Parse();
        var session_ = doc.RootElement.GetProperty("session");
        Assert.Equal("Say \"hi\" – politely.", session_.GetProperty("instructions").GetString());
        var input = session_.GetProperty("audio").GetProperty("input");
        Assert.False(input.TryGetProperty("transcription", out _));
        Assert.Equal(
            """{"type":"semantic_vad","eagerness":"high","create_response":true,"interrupt_response":false}""",
            input.GetProperty("turn_detection").GetRawText());
        Assert.Equal("cedar", session_.GetProperty("audio").GetProperty("output").GetProperty("voice").GetString());
        Assert.Empty(GaClientEventChecker.Check(update.Json));
        Assert.DoesNotContain(h.Emulator.SentEvents, s => s.Type == "error");
    }

    [Fact]
    public void The_realtime_url_carries_the_model_and_maps_http_to_ws()
    {
        var options = new Grains.Providers.OpenAIRealtime.OpenAIRealtimeOptions();
        Assert.Equal("wss://api.openai.com/v1/realtime?model=gpt-realtime", options.BuildRealtimeUri().ToString());
        options.BaseUrl = "http://127.0.0.1:8765/v1/";
        options.Model = "gpt-realtime-mini";
        Assert.Equal("ws://127.0.0.1:8765/v1/realtime?model=gpt-realtime-mini", options.BuildRealtimeUri().ToString());
        options.BaseUrl = "https://example.test/openai/v1";
        Assert.Equal("wss://example.test/openai/v1/realtime?model=gpt-realtime-mini", options.BuildRealtimeUri().ToString());
    }
}
