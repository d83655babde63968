using System.Text.Json;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Providers.Deepgram;
using Xunit;

namespace AiAgent.Deepgram.Tests;

/// <summary>The <c>Settings</c> message, field by field against docs/protocols/deepgram.md, "Settings" (asyncapi <c>AgentV1Settings</c>).</summary>
public sealed class SettingsShapeTests
{
    public static TheoryData<string, string, int, string, int> AutoFormats => new()
    {
        // call format, input encoding/rate, output encoding/rate: the conversion-free choice for each call.
        { "slin8", "linear16", 8_000, "linear16", 8_000 },
        { "slin16", "linear16", 16_000, "linear16", 16_000 },
        { "slin24", "linear16", 24_000, "linear16", 24_000 },
        { "slin48", "linear16", 48_000, "linear16", 48_000 },
        { "ulaw", "mulaw", 8_000, "mulaw", 8_000 },
        { "alaw", "alaw", 8_000, "alaw", 8_000 },
        { "slin44", "linear16", 44_100, "linear16", 24_000 },
    };

    [Theory]
    [MemberData(nameof(AutoFormats))]
    public void Auto_formats_follow_the_call(string call, string inputEncoding, int inputRate, string outputEncoding, int outputRate)
    {
        var options = new DeepgramOptions();
        var formats = DeepgramSettingsBuilder.ResolveFormats(options, CallFormat(call));
        using var json = Serialize(options, formats);
        var audio = json.RootElement.GetProperty("audio");

        AssertKeys(audio, "input", "output");
        AssertKeys(audio.GetProperty("input"), "encoding", "sample_rate");
        Assert.Equal(inputEncoding, audio.GetProperty("input").GetProperty("encoding").GetString());
        Assert.Equal(inputRate, audio.GetProperty("input").GetProperty("sample_rate").GetInt32());
        AssertKeys(audio.GetProperty("output"), "encoding", "sample_rate", "container");
        Assert.Equal(outputEncoding, audio.GetProperty("output").GetProperty("encoding").GetString());
        Assert.Equal(outputRate, audio.GetProperty("output").GetProperty("sample_rate").GetInt32());
        Assert.Equal("none", audio.GetProperty("output").GetProperty("container").GetString());

        // The declared formats are exactly what the grain converts to and from.
        Assert.Equal(inputRate, formats.Input.SampleRate);
        Assert.Equal(outputRate, formats.Output.SampleRate);
        Assert.Equal(inputEncoding, DeepgramSettingsBuilder.EncodingName(formats.Input.Encoding));
        Assert.Equal(outputEncoding, DeepgramSettingsBuilder.EncodingName(formats.Output.Encoding));
    }

    [Theory]
    [InlineData("slin8", "mulaw", "auto", "linear16", "24000", "mulaw", 8_000, "linear16", 24_000)]
    [InlineData("ulaw", "linear16", "auto", "auto", "16000", "linear16", 8_000, "linear16", 16_000)]
    [InlineData("slin16", "auto", "8000", "alaw", "auto", "linear16", 8_000, "alaw", 8_000)]
    [InlineData("ulaw", "auto", "8000", "auto", "8000", "mulaw", 8_000, "mulaw", 8_000)]
    public void Explicit_options_override_the_call(
        string call, string inEnc, string inRate, string outEnc, string outRate,
        string expectInEnc, int expectInRate, string expectOutEnc, int expectOutRate)
    {
        var options = new DeepgramOptions { InputEncoding = inEnc, InputSampleRate = inRate, OutputEncoding = outEnc, OutputSampleRate = outRate };
        var errors = new List<string>();
        options.Validate("providers.deepgram", errors, isDefault: false);
        Assert.Empty(errors);

        var formats = DeepgramSettingsBuilder.ResolveFormats(options, CallFormat(call));
        using var json = Serialize(options, formats);
        var audio = json.RootElement.GetProperty("audio");
        Assert.Equal(expectInEnc, audio.GetProperty("input").GetProperty("encoding").GetString());
        Assert.Equal(expectInRate, audio.GetProperty("input").GetProperty("sample_rate").GetInt32());
        Assert.Equal(expectOutEnc, audio.GetProperty("output").GetProperty("encoding").GetString());
        Assert.Equal(expectOutRate, audio.GetProperty("output").GetProperty("sample_rate").GetInt32());
    }

    [Fact]
    public void Agent_block_carries_models_prompt_and_greeting()
    {
        var options = new DeepgramOptions
        {
            Language = "es",
            ListenModel = "nova-2",
            ThinkProvider = "anthropic",
            ThinkModel = "claude-3-haiku-20240307",
            SpeakModel = "aura-2-celeste-es",
            Prompt = "Eres un asistente telefónico.",
            Greeting = "Hola, ¿en qué puedo ayudarle?",
        };
        using var json = Serialize(options, DeepgramSettingsBuilder.ResolveFormats(options, AudioFormat.Slin8));
        var root = json.RootElement;

        AssertKeys(root, "type", "audio", "agent");
        Assert.Equal("type", root.EnumerateObject().First().Name);
        Assert.Equal("Settings", root.GetProperty("type").GetString());

        var agent = root.GetProperty("agent");
        AssertKeys(agent, "listen", "think", "speak", "greeting");

        // agent.language is deprecated: the language rides on the V1 listen provider.
        var listen = agent.GetProperty("listen").GetProperty("provider");
        AssertKeys(listen, "type", "version", "model", "language");
        Assert.Equal("deepgram", listen.GetProperty("type").GetString());
        Assert.Equal("v1", listen.GetProperty("version").GetString());
        Assert.Equal("nova-2", listen.GetProperty("model").GetString());
        Assert.Equal("es", listen.GetProperty("language").GetString());

        var think = agent.GetProperty("think");
        AssertKeys(think, "provider", "prompt");
        AssertKeys(think.GetProperty("provider"), "type", "model");
        Assert.Equal("anthropic", think.GetProperty("provider").GetProperty("type").GetString());
        Assert.Equal("claude-3-haiku-20240307", think.GetProperty("provider").GetProperty("model").GetString());
        Assert.Equal("Eres un asistente telefónico.", think.GetProperty("prompt").GetString());

        var speak = agent.GetProperty("speak").GetProperty("provider");
        AssertKeys(speak, "type", "version", "model");
        Assert.Equal("deepgram", speak.GetProperty("type").GetString());
        Assert.Equal("v1", speak.GetProperty("version").GetString());
        Assert.Equal("aura-2-celeste-es", speak.GetProperty("model").GetString());

        Assert.Equal("Hola, ¿en qué puedo ayudarle?", agent.GetProperty("greeting").GetString());
    }

    [Fact]
    public void Defaults_match_the_documented_baseline()
    {
        var options = new DeepgramOptions();
        using var json = Serialize(options, DeepgramSettingsBuilder.ResolveFormats(options, AudioFormat.Slin8));
        var agent = json.RootElement.GetProperty("agent");
        Assert.Equal("en", agent.GetProperty("listen").GetProperty("provider").GetProperty("language").GetString());
        Assert.Equal("nova-3", agent.GetProperty("listen").GetProperty("provider").GetProperty("model").GetString());
        Assert.Equal("open_ai", agent.GetProperty("think").GetProperty("provider").GetProperty("type").GetString());
        Assert.Equal("gpt-4o-mini", agent.GetProperty("think").GetProperty("provider").GetProperty("model").GetString());
        Assert.Equal("aura-2-thalia-en", agent.GetProperty("speak").GetProperty("provider").GetProperty("model").GetString());
        Assert.Equal(options.Greeting, agent.GetProperty("greeting").GetString());
        Assert.Equal("wss://agent.deepgram.com/v1/agent/converse", DeepgramProtocol.BuildEndpoint(options.BaseUrl).ToString());
    }

    [Fact]
    public void Empty_greeting_is_left_out()
    {
        var options = new DeepgramOptions { Greeting = "" };
        using var json = Serialize(options, DeepgramSettingsBuilder.ResolveFormats(options, AudioFormat.Slin8));
        Assert.False(json.RootElement.GetProperty("agent").TryGetProperty("greeting", out _));
    }

    [Fact]
    public void Reconnect_settings_reseed_history_without_a_second_greeting()
    {
        var options = new DeepgramOptions();
        HistoryItem[] history = [new("assistant", "Hello!"), new("user", "I need help."), new("assistant", "Sure.")];
        var settings = DeepgramSettingsBuilder.Build(options, DeepgramSettingsBuilder.ResolveFormats(options, AudioFormat.Slin16), history, includeGreeting: false);
        using var json = JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(settings, DeepgramJsonContext.Default.SettingsMessage));
        var agent = json.RootElement.GetProperty("agent");

        Assert.False(agent.TryGetProperty("greeting", out _));
        var messages = agent.GetProperty("context").GetProperty("messages").EnumerateArray().ToArray();
        Assert.Equal(3, messages.Length);
        for (var i = 0; i < messages.Length; i++)
        {
            AssertKeys(messages[i], "type", "role", "content");
            Assert.Equal("History", messages[i].GetProperty("type").GetString());
            Assert.Equal(history[i].Role, messages[i].GetProperty("role").GetString());
            Assert.Equal(history[i].Content, messages[i].GetProperty("content").GetString());
        }
    }

    [Fact]
    public void Long_history_keeps_the_newest_items()
    {
        var options = new DeepgramOptions();
        var history = Enumerable.Range(0, 80).Select(i => new HistoryItem(i % 2 == 0 ? "user" : "assistant", $"line {i}")).ToArray();
        var settings = DeepgramSettingsBuilder.Build(options, DeepgramSettingsBuilder.ResolveFormats(options, AudioFormat.Slin8), history, includeGreeting: false);
        Assert.Equal(DeepgramSettingsBuilder.MaxHistoryItems, settings.Agent.Context!.Messages.Count);
        Assert.Equal("line 79", settings.Agent.Context.Messages[^1].Content);
    }

    [Theory]
    [InlineData("wss://agent.deepgram.com", "wss://agent.deepgram.com/v1/agent/converse")]
    [InlineData("ws://127.0.0.1:8766/", "ws://127.0.0.1:8766/v1/agent/converse")]
    [InlineData("wss://eu.example.com/v1/agent/converse", "wss://eu.example.com/v1/agent/converse")]
    public void Endpoint_appends_the_v1_path(string baseUrl, string expected) =>
        Assert.Equal(expected, DeepgramProtocol.BuildEndpoint(baseUrl).ToString());

    [Fact]
    public void Client_messages_have_their_documented_shape()
    {
        using var inject = JsonDocument.Parse(JsonSerializer.Serialize(new InjectUserMessage("The caller pressed the telephone key 5."), DeepgramJsonContext.Default.InjectUserMessage));
        AssertKeys(inject.RootElement, "type", "content");
        Assert.Equal("InjectUserMessage", inject.RootElement.GetProperty("type").GetString());

        using var response = JsonDocument.Parse(JsonSerializer.Serialize(new FunctionCallResponseMessage("fc_1", "lookup", "{\"error\":\"x\"}"), DeepgramJsonContext.Default.FunctionCallResponseMessage));
        AssertKeys(response.RootElement, "type", "id", "name", "content");
        Assert.Equal(JsonValueKind.String, response.RootElement.GetProperty("content").ValueKind);
    }

    internal static AudioFormat CallFormat(string name) => name switch
    {
        "slin8" => AudioFormat.Slin8,
        "slin16" => AudioFormat.Slin16,
        "slin24" => AudioFormat.Slin24,
        "slin48" => AudioFormat.Slin48,
        "slin44" => new AudioFormat(AudioEncoding.Pcm16, 44_100),
        "ulaw" => AudioFormat.Mulaw8,
        "alaw" => AudioFormat.Alaw8,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };

    private static JsonDocument Serialize(DeepgramOptions options, Grains.Providers.ProviderAudioFormats formats) =>
        JsonDocument.Parse(JsonSerializer.SerializeToUtf8Bytes(
            DeepgramSettingsBuilder.Build(options, formats, [], includeGreeting: true), DeepgramJsonContext.Default.SettingsMessage));

    private static void AssertKeys(JsonElement element, params string[] keys) =>
        Assert.Equal(keys.Order(StringComparer.Ordinal), element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
}
