using AiAgent.Grains.Configuration;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Providers.OpenAIRealtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using AiAgent.OpenAIRealtime.Tests.Support;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary><c>providers.openai_realtime</c> validation: every error names its YAML key and the allowed values.</summary>
public sealed class OptionsValidationTests
{
    private static List<string> Validate(OpenAIRealtimeOptions options, bool isDefault = false, string? envValue = "sk-set")
    {
        var errors = new List<string>();
        options.Validate("providers.openai_realtime", errors, isDefault, _ => envValue);
        return errors;
    }

    [Fact]
    public void Defaults_are_valid()
    {
        Assert.Empty(Validate(new OpenAIRealtimeOptions(), isDefault: true));
        var o = new OpenAIRealtimeOptions();
        Assert.Equal(("OPENAI_API_KEY", "gpt-realtime", "marin", "wss://api.openai.com/v1", "gpt-4o-mini-transcribe"), (o.ApiKeyEnv, o.Model, o.Voice, o.BaseUrl, o.TranscriptionModel));
        Assert.Equal(("auto", "auto", "auto", "auto", "server_vad"), (o.InputEncoding, o.InputSampleRate, o.OutputEncoding, o.OutputSampleRate, o.TurnDetection.Type));
    }

    [Fact]
    public void A_missing_key_is_an_error_only_for_the_default_provider()
    {
        Assert.Equal(["providers.openai_realtime.api_key_env: environment variable OPENAI_API_KEY is not set"], Validate(new OpenAIRealtimeOptions(), isDefault: true, envValue: null));
        Assert.Equal(["providers.openai_realtime.api_key_env: environment variable OPENAI_API_KEY is not set"], Validate(new OpenAIRealtimeOptions(), isDefault: true, envValue: ""));
        Assert.Empty(Validate(new OpenAIRealtimeOptions(), isDefault: false, envValue: null));
    }

    [Fact]
    public void The_agent_options_validator_reports_the_missing_key_with_default_provider_openai_realtime()
    {
        var env = "AIAGENT_TEST_VALIDATOR_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var options = new AgentOptions { DefaultProvider = OpenAIRealtimeOptions.Name };
        options.Providers.OpenAIRealtime.ApiKeyEnv = env;
        var registry = new ServiceCollection().AddOpenAIRealtimeProvider().BuildServiceProvider().GetRequiredService<ProviderRegistry>();
        var result = new AgentOptionsValidator(registry).Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains($"providers.openai_realtime.api_key_env: environment variable {env} is not set", result.Failures!);
    }

    public static TheoryData<Action<OpenAIRealtimeOptions>, string> Invalid => new()
    {
        { o => o.ApiKeyEnv = "1BAD-NAME", "providers.openai_realtime.api_key_env: '1BAD-NAME' is not an environment variable name" },
        { o => o.Model = "gpt realtime", "providers.openai_realtime.model: 'gpt realtime' is not a model id" },
        { o => o.Voice = "robot", "providers.openai_realtime.voice: 'robot' is not a voice; allowed values: alloy, ash, ballad, coral, echo, sage, shimmer, verse, marin, cedar" },
        { o => o.BaseUrl = "ftp://x/v1", "providers.openai_realtime.base_url: 'ftp://x/v1' must be an absolute ws://, wss://, http:// or https:// URL" },
        { o => o.BaseUrl = "wss://api.openai.com/v1/realtime?model=x", "providers.openai_realtime.base_url:" },
        { o => o.InputEncoding = "g711_ulaw", "providers.openai_realtime.input_encoding: 'g711_ulaw' is not an encoding; allowed values: auto, pcm16, pcmu, pcma" },
        { o => o.OutputEncoding = "opus", "providers.openai_realtime.output_encoding: 'opus' is not an encoding; allowed values: auto, pcm16, pcmu, pcma" },
        { o => { o.InputEncoding = "pcm16"; o.InputSampleRate = "16000"; }, "providers.openai_realtime.input_sample_rate: 16000 is not supported for pcm16; OpenAI Realtime audio/pcm is 24000 Hz only" },
        { o => { o.OutputEncoding = "pcmu"; o.OutputSampleRate = "16000"; }, "providers.openai_realtime.output_sample_rate: 16000 is not supported for pcmu; G.711 is 8000 Hz only" },
        { o => { o.OutputEncoding = "pcma"; o.OutputSampleRate = "fast"; }, "providers.openai_realtime.output_sample_rate: 'fast' must be 'auto' or a rate in Hz" },
        { o => o.InputSampleRate = "24000", "providers.openai_realtime.input_sample_rate: 24000 needs an explicit input_encoding" },
        { o => o.TurnDetection.Type = "none", "providers.openai_realtime.turn_detection.type: 'none' is not a turn detection type; allowed values: server_vad, semantic_vad" },
        { o => o.TurnDetection.Threshold = 1.5, "providers.openai_realtime.turn_detection.threshold: 1.5 must be between 0 and 1" },
        { o => o.TurnDetection.PrefixPaddingMs = -1, "providers.openai_realtime.turn_detection.prefix_padding_ms: -1 must be between 0 and 5000" },
        { o => o.TurnDetection.SilenceDurationMs = 50, "providers.openai_realtime.turn_detection.silence_duration_ms: 50 must be between 100 and 10000" },
        { o => o.TurnDetection.Eagerness = "eager", "providers.openai_realtime.turn_detection.eagerness: 'eager' is not an eagerness; allowed values: low, medium, high, auto" },
        { o => o.TranscriptionModel = "whisper-2", "providers.openai_realtime.transcription_model: 'whisper-2' is not a transcription model" },
        { o => o.MaxReconnectAttempts = 11, "providers.openai_realtime.max_reconnect_attempts: 11 must be between 0 and 10" },
        { o => o.ConnectTimeoutMs = 100, "providers.openai_realtime.connect_timeout_ms: 100 must be between 500 and 60000" },
        { o => o.SessionRolloverMarginMs = 500, "providers.openai_realtime.session_rollover_margin_ms: 500 must be 0 (off) or between 1000 and 1800000" },
        { o => o.SessionRolloverMarginMs = 3_600_000, "providers.openai_realtime.session_rollover_margin_ms: 3600000 must be 0 (off) or between 1000 and 1800000" },
        { o => o.Greeting = new string('x', 4_001), "providers.openai_realtime.greeting: 4001 characters is too long" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Each_bad_value_is_one_error_naming_its_key(Action<OpenAIRealtimeOptions> change, string expectedStart)
    {
        var options = new OpenAIRealtimeOptions();
        change(options);
        var error = Assert.Single(Validate(options));
        Assert.StartsWith(expectedStart, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Explicit_valid_formats_and_empty_transcription_pass()
    {
        var options = new OpenAIRealtimeOptions
        {
            InputEncoding = "pcm16", InputSampleRate = "24000", OutputEncoding = "pcmu", OutputSampleRate = "8000", TranscriptionModel = string.Empty, Greeting = string.Empty,
        };
        Assert.Empty(Validate(options));
    }

    [Fact]
    public void Snake_case_keys_bind_from_configuration()
    {
        var config = new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["providers:openai_realtime:api_key_env"] = "MY_KEY",
            ["providers:openai_realtime:base_url"] = "ws://127.0.0.1:9/v1",
            ["providers:openai_realtime:input_encoding"] = "pcm16",
            ["providers:openai_realtime:input_sample_rate"] = "24000",
            ["providers:openai_realtime:turn_detection:silence_duration_ms"] = "700",
            ["providers:openai_realtime:turn_detection:prefix_padding_ms"] = "200",
            ["providers:openai_realtime:transcription_model"] = "whisper-1",
            ["providers:openai_realtime:max_reconnect_attempts"] = "5",
            ["providers:openai_realtime:connect_timeout_ms"] = "2500",
            ["providers:openai_realtime:session_rollover_margin_ms"] = "120000",
        }).Build();
        var options = new AgentOptions();
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(config, options);
        var o = options.Providers.OpenAIRealtime;
        Assert.Equal(("MY_KEY", "ws://127.0.0.1:9/v1", "pcm16", "24000", 700, 200, "whisper-1", 5, 2500),
            (o.ApiKeyEnv, o.BaseUrl, o.InputEncoding, o.InputSampleRate, o.TurnDetection.SilenceDurationMs, o.TurnDetection.PrefixPaddingMs, o.TranscriptionModel, o.MaxReconnectAttempts, o.ConnectTimeoutMs));
        Assert.Equal(120_000, o.SessionRolloverMarginMs);
    }

    [Fact]
    public void AddOpenAIRealtimeProvider_registers_one_provider_named_openai_realtime()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IOptionsMonitor<AgentOptions>>(new TestOptionsMonitor<AgentOptions>(new AgentOptions()));
        services.AddOpenAIRealtimeProvider().AddOpenAIRealtimeProvider();
        using var provider = services.BuildServiceProvider();
        var registered = Assert.Single(provider.GetServices<IAgentProvider>());
        Assert.Equal("openai_realtime", registered.Name);
        Assert.Same(registered, provider.GetServices<IAgentProvider>().Single());
        _ = provider.GetRequiredService<ILoggerFactory>();
    }
}
