using AiAgent.Grains.Configuration;
using AiAgent.Grains.Providers.Deepgram;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace AiAgent.Deepgram.Tests;

/// <summary><c>providers.deepgram</c> validation: every error names its YAML key and the allowed values.</summary>
public sealed class OptionsValidationTests
{
    [Fact]
    public void Defaults_are_valid_when_not_the_default_provider()
    {
        Assert.Empty(Validate(new DeepgramOptions(), isDefault: false));
    }

    [Fact]
    public void Default_provider_without_its_key_names_the_variable()
    {
        var options = new DeepgramOptions();
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(options.ApiKeyEnv)))
        {
            // Only a machine with a real key set would get here; point at a variable that is surely unset.
            options.ApiKeyEnv = "DG_UNSET_" + Guid.NewGuid().ToString("N");
        }

        var error = Assert.Single(Validate(options, isDefault: true));
        Assert.StartsWith("providers.deepgram.api_key_env:", error);
        Assert.Contains(options.ApiKeyEnv, error);
        if (options.ApiKeyEnv == "DEEPGRAM_API_KEY")
        {
            Assert.Contains("DEEPGRAM_API_KEY", error);
        }
    }

    [Fact]
    public void Default_provider_with_its_key_set_is_valid_and_the_key_is_not_echoed()
    {
        var variable = "DG_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "sk-secret-value-123");
        try
        {
            var options = new DeepgramOptions { ApiKeyEnv = variable, KeepAliveSeconds = 99 };
            var errors = Validate(options, isDefault: true);
            Assert.Single(errors);
            Assert.DoesNotContain(errors, e => e.Contains("sk-secret-value-123", StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    public static TheoryData<Action<DeepgramOptions>, string, string> BadValues => new()
    {
        { o => o.ApiKeyEnv = "not a name", "api_key_env", "environment variable name" },
        { o => o.BaseUrl = "https://agent.deepgram.com", "base_url", "ws:// or wss://" },
        { o => o.BaseUrl = "agent.deepgram.com", "base_url", "ws:// or wss://" },
        { o => o.Language = "English!", "language", "en, es, en-US, or multi" },
        { o => o.ListenModel = "whisper", "listen_model", "nova-3" },
        { o => o.ThinkProvider = "openai", "think_provider", "open_ai, anthropic, google, groq" },
        { o => o.ThinkModel = "gpt-3.5-turbo", "think_model", "gpt-4o-mini" },
        { o => o.SpeakModel = "alloy", "speak_model", "aura-2-thalia-en" },
        { o => o.Prompt = "", "prompt", "1 to 25000" },
        { o => o.Prompt = new string('x', 25_001), "prompt", "1 to 25000" },
        { o => o.Greeting = new string('x', 1_001), "greeting", "at most 1000" },
        { o => o.InputEncoding = "opus", "input_encoding", "auto, linear16, mulaw, alaw" },
        { o => o.OutputEncoding = "mp3", "output_encoding", "auto, linear16, mulaw, alaw" },
        { o => o.InputSampleRate = "fast", "input_sample_rate", "auto or a rate" },
        { o => o.OutputSampleRate = "22050", "output_sample_rate", "8000, 16000, 24000, 32000, 48000" },
        { o => { o.OutputEncoding = "mulaw"; o.OutputSampleRate = "16000"; }, "output_sample_rate", "allowed values: 8000" },
        { o => { o.InputEncoding = "alaw"; o.InputSampleRate = "24000"; }, "input_sample_rate", "allowed values: 8000" },
        { o => o.KeepAliveSeconds = 9, "keepalive_seconds", "between 1 and 8" },
        { o => o.KeepAliveSeconds = 0, "keepalive_seconds", "between 1 and 8" },
        { o => o.MaxReconnectAttempts = -1, "max_reconnect_attempts", "between 0 and 10" },
        { o => o.ConnectTimeoutMs = 100, "connect_timeout_ms", "between 500 and 60000" },
        { o => o.MaxSessionMinutes = 0, "max_session_minutes", "between 1 and 120" },
        { o => o.MaxSessionMinutes = 121, "max_session_minutes", "between 1 and 120" },
        { o => o.SessionRolloverMarginMs = 500, "session_rollover_margin_ms", "0 (off) or between 1000 and 1800000" },
        { o => o.SessionRolloverMarginMs = 1_800_001, "session_rollover_margin_ms", "0 (off) or between 1000 and 1800000" },
        { o => o.SessionRolloverMarginMs = -1, "session_rollover_margin_ms", "0 (off) or between 1000 and 1800000" },
        { o => { o.MaxSessionMinutes = 10; o.SessionRolloverMarginMs = 300_000; }, "session_rollover_margin_ms", "less than half of max_session_minutes" },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public void Each_bad_value_is_named(Action<DeepgramOptions> spoil, string key, string allowed)
    {
        var options = new DeepgramOptions();
        spoil(options);
        var error = Assert.Single(Validate(options, isDefault: false));
        Assert.StartsWith($"providers.deepgram.{key}:", error);
        Assert.Contains(allowed, error);
    }

    [Theory]
    [InlineData(120, 300_000)]
    [InlineData(120, 0)]
    [InlineData(1, 1_000)]
    [InlineData(11, 300_000)]
    public void Session_cap_and_rollover_margin_in_range_are_valid(int minutes, int marginMs)
    {
        Assert.Empty(Validate(new DeepgramOptions { MaxSessionMinutes = minutes, SessionRolloverMarginMs = marginMs }, isDefault: false));
    }

    [Fact]
    public void Session_cap_defaults_to_the_servers_two_hours_with_a_five_minute_margin()
    {
        var options = new DeepgramOptions();
        Assert.Equal(120, options.MaxSessionMinutes);
        Assert.Equal(300_000, options.SessionRolloverMarginMs);
        Assert.Equal(TimeSpan.FromHours(2), options.MaxSessionLength);
    }

    [Fact]
    public void Every_error_is_collected_at_once()
    {
        var options = new DeepgramOptions { ListenModel = "x", SpeakModel = "y", KeepAliveSeconds = 20, InputEncoding = "flac" };
        Assert.Equal(4, Validate(options, isDefault: false).Count);
    }

    [Fact]
    public void Snake_case_yaml_keys_bind()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["default_provider"] = "deepgram",
            ["providers:deepgram:api_key_env"] = "MY_DG_KEY",
            ["providers:deepgram:base_url"] = "ws://127.0.0.1:8766",
            ["providers:deepgram:listen_model"] = "nova-2",
            ["providers:deepgram:think_provider"] = "groq",
            ["providers:deepgram:think_model"] = "llama-3.3-70b",
            ["providers:deepgram:speak_model"] = "aura-2-apollo-en",
            ["providers:deepgram:prompt"] = "Be brief.",
            ["providers:deepgram:greeting"] = "Hi.",
            ["providers:deepgram:input_encoding"] = "mulaw",
            ["providers:deepgram:input_sample_rate"] = "8000",
            ["providers:deepgram:output_encoding"] = "linear16",
            ["providers:deepgram:output_sample_rate"] = "24000",
            ["providers:deepgram:keepalive_seconds"] = "3",
            ["providers:deepgram:max_reconnect_attempts"] = "5",
            ["providers:deepgram:connect_timeout_ms"] = "2500",
            ["providers:deepgram:max_session_minutes"] = "60",
            ["providers:deepgram:session_rollover_margin_ms"] = "120000",
        }).Build();
        var options = configuration.Get<AgentOptions>()!.Providers.Deepgram;

        Assert.Equal("MY_DG_KEY", options.ApiKeyEnv);
        Assert.Equal("ws://127.0.0.1:8766", options.BaseUrl);
        Assert.Equal("nova-2", options.ListenModel);
        Assert.Equal("groq", options.ThinkProvider);
        Assert.Equal("llama-3.3-70b", options.ThinkModel);
        Assert.Equal("aura-2-apollo-en", options.SpeakModel);
        Assert.Equal("Be brief.", options.Prompt);
        Assert.Equal("Hi.", options.Greeting);
        Assert.Equal("mulaw", options.InputEncoding);
        Assert.Equal("8000", options.InputSampleRate);
        Assert.Equal("linear16", options.OutputEncoding);
        Assert.Equal("24000", options.OutputSampleRate);
        Assert.Equal(3, options.KeepAliveSeconds);
        Assert.Equal(5, options.MaxReconnectAttempts);
        Assert.Equal(2500, options.ConnectTimeoutMs);
        Assert.Equal(60, options.MaxSessionMinutes);
        Assert.Equal(120_000, options.SessionRolloverMarginMs);
        Assert.Equal(TimeSpan.FromMinutes(60), options.MaxSessionLength);
        Assert.Empty(Validate(options, isDefault: false));
    }

    private static List<string> Validate(DeepgramOptions options, bool isDefault)
    {
        var errors = new List<string>();
        options.Validate("providers.deepgram", errors, isDefault);
        return errors;
    }
}
