using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>
/// <c>providers.deepgram</c>: the Deepgram Voice Agent v1 provider (docs/protocols/deepgram.md). Read afresh when a
/// call starts, so an edit applies to the next call.
/// </summary>
public sealed partial class DeepgramOptions
{
    /// <summary>The provider's config name.</summary>
    public const string Name = "deepgram";

    /// <summary>The value of an encoding or sample-rate key that lets the provider pick the conversion-free format.</summary>
    public const string Auto = "auto";

    /// <summary>Encodings this platform can code, by their Deepgram names.</summary>
    public static readonly IReadOnlyList<string> Encodings = ["linear16", "mulaw", "alaw"];

    /// <summary>linear16 rates accepted for <c>input_sample_rate</c> (Deepgram STT takes any rate; these are the telephony/AudioSocket ones).</summary>
    public static readonly IReadOnlyList<int> Linear16InputRates = [8_000, 16_000, 24_000, 32_000, 44_100, 48_000];

    /// <summary>linear16 rates accepted for <c>output_sample_rate</c> (Deepgram TTS "audio format combinations").</summary>
    public static readonly IReadOnlyList<int> Linear16OutputRates = [8_000, 16_000, 24_000, 32_000, 48_000];

    /// <summary>Think providers that need no extra credentials block in <c>Settings</c>.</summary>
    public static readonly IReadOnlyList<string> ThinkProviders = ["open_ai", "anthropic", "google", "groq"];

    /// <summary>The <c>open_ai</c> think models the v1 spec enumerates.</summary>
    public static readonly IReadOnlyList<string> OpenAIThinkModels =
        ["gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini"];

    /// <summary>Longest prompt Deepgram's managed LLMs take before warning <c>PROMPT_TOO_LONG</c> and truncating.</summary>
    public const int MaxPromptLength = 25_000;

    /// <summary><c>api_key_env</c>: the environment variable holding the API key (never the key itself).</summary>
    [ConfigurationKeyName("api_key_env")]
    public string ApiKeyEnv { get; set; } = "DEEPGRAM_API_KEY";

    /// <summary><c>base_url</c>: scheme and host of the Voice Agent API; <c>/v1/agent/converse</c> is appended.</summary>
    [ConfigurationKeyName("base_url")]
    public string BaseUrl { get; set; } = "wss://agent.deepgram.com";

    /// <summary><c>language</c>: <c>agent.language</c> (BCP-47 such as <c>en</c>, <c>es</c>, <c>en-US</c>, or <c>multi</c>).</summary>
    public string Language { get; set; } = "en";

    /// <summary><c>listen_model</c>: the Deepgram STT model (<c>agent.listen.provider.model</c>, Nova family).</summary>
    [ConfigurationKeyName("listen_model")]
    public string ListenModel { get; set; } = "nova-3";

    /// <summary><c>think_provider</c>: the LLM vendor (<c>agent.think.provider.type</c>).</summary>
    [ConfigurationKeyName("think_provider")]
    public string ThinkProvider { get; set; } = "open_ai";

    /// <summary><c>think_model</c>: the LLM (<c>agent.think.provider.model</c>).</summary>
    [ConfigurationKeyName("think_model")]
    public string ThinkModel { get; set; } = "gpt-4o-mini";

    /// <summary><c>speak_model</c>: the Deepgram Aura voice (<c>agent.speak.provider.model</c>).</summary>
    [ConfigurationKeyName("speak_model")]
    public string SpeakModel { get; set; } = "aura-2-thalia-en";

    /// <summary><c>prompt</c>: the agent's instructions (<c>agent.think.prompt</c>).</summary>
    public string Prompt { get; set; } =
        "You are a friendly, concise phone assistant. Answer in one or two short sentences. " +
        "The caller may press telephone keys; each arrives as a message like \"The caller pressed the telephone key 5.\"";

    /// <summary><c>greeting</c>: what the agent says first (<c>agent.greeting</c>); empty for none.</summary>
    public string Greeting { get; set; } = "Hello, thanks for calling. How can I help you today?";

    /// <summary><c>input_encoding</c>: <c>auto</c>, <c>linear16</c>, <c>mulaw</c> or <c>alaw</c>.</summary>
    [ConfigurationKeyName("input_encoding")]
    public string InputEncoding { get; set; } = Auto;

    /// <summary><c>input_sample_rate</c>: <c>auto</c> or a rate in Hz.</summary>
    [ConfigurationKeyName("input_sample_rate")]
    public string InputSampleRate { get; set; } = Auto;

    /// <summary><c>output_encoding</c>: <c>auto</c>, <c>linear16</c>, <c>mulaw</c> or <c>alaw</c>.</summary>
    [ConfigurationKeyName("output_encoding")]
    public string OutputEncoding { get; set; } = Auto;

    /// <summary><c>output_sample_rate</c>: <c>auto</c> or a rate in Hz.</summary>
    [ConfigurationKeyName("output_sample_rate")]
    public string OutputSampleRate { get; set; } = Auto;

    /// <summary><c>keepalive_seconds</c>: <c>KeepAlive</c> period while no caller audio flows (Deepgram asks for at most 8 s).</summary>
    [ConfigurationKeyName("keepalive_seconds")]
    public int KeepAliveSeconds { get; set; } = 5;

    /// <summary><c>max_reconnect_attempts</c>: reconnects after a server <c>Error</c> or a dropped socket before the call is ended.</summary>
    [ConfigurationKeyName("max_reconnect_attempts")]
    public int MaxReconnectAttempts { get; set; } = 3;

    /// <summary><c>connect_timeout_ms</c>: WebSocket upgrade plus <c>SettingsApplied</c> must complete within this.</summary>
    [ConfigurationKeyName("connect_timeout_ms")]
    public int ConnectTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// The longest session the service allows (docs/protocols/deepgram.md#limits-and-keepalive: it closes every session at 2 h; KeepAlive does not
    /// extend it). Counted from <c>SettingsApplied</c> of the current connection.
    /// </summary>
    [ConfigurationKeyName("max_session_minutes")]
    public int MaxSessionMinutes { get; set; } = 120;

    /// <summary>
    /// How long before <see cref="MaxSessionMinutes"/> a planned rollover to a fresh connection may start, at a quiet
    /// moment (no agent audio arriving or still playing, no answer owed, caller not mid-turn); forced shortly before
    /// the cap if no quiet moment comes. 0 turns planning off (the server's close at the cap then reconnects).
    /// </summary>
    [ConfigurationKeyName("session_rollover_margin_ms")]
    public int SessionRolloverMarginMs { get; set; } = 300_000;

    /// <summary>Tests only (never bound from YAML): a session length shorter than a minute, in place of <see cref="MaxSessionMinutes"/>.</summary>
    internal TimeSpan? MaxSessionLengthOverride { get; set; }

    /// <summary>The session length the rollover plans for.</summary>
    internal TimeSpan MaxSessionLength => MaxSessionLengthOverride ?? TimeSpan.FromMinutes(MaxSessionMinutes);

    /// <summary>Appends an error per invalid key to <paramref name="errors"/>, each prefixed with <paramref name="path"/>.</summary>
    /// <param name="path">The YAML path of this block.</param>
    /// <param name="errors">Where errors go.</param>
    /// <param name="isDefault">True when this provider is <c>default_provider</c> (then a missing API key is an error).</param>
    public void Validate(string path, List<string> errors, bool isDefault)
    {
        if (string.IsNullOrWhiteSpace(ApiKeyEnv) || !EnvVarName().IsMatch(ApiKeyEnv))
        {
            errors.Add($"{path}.api_key_env: '{ApiKeyEnv}' is not an environment variable name (letters, digits, '_'; e.g. DEEPGRAM_API_KEY)");
        }
        else if (isDefault && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(ApiKeyEnv)))
        {
            errors.Add($"{path}.api_key_env: environment variable {ApiKeyEnv} is not set; default_provider is deepgram, so set {ApiKeyEnv} to the Deepgram API key");
        }

        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("wss" or "ws") ||
            !string.IsNullOrEmpty(baseUri.Query) || !string.IsNullOrEmpty(baseUri.Fragment))
        {
            errors.Add($"{path}.base_url: '{BaseUrl}' must be an absolute ws:// or wss:// URL without query (e.g. wss://agent.deepgram.com)");
        }

        if (string.IsNullOrWhiteSpace(Language) || !LanguageTag().IsMatch(Language))
        {
            errors.Add($"{path}.language: '{Language}' must be a language code such as en, es, en-US, or multi");
        }

        if (string.IsNullOrWhiteSpace(ListenModel) || !ListenModel.StartsWith("nova-", StringComparison.Ordinal))
        {
            errors.Add($"{path}.listen_model: '{ListenModel}' must be a Deepgram Nova model (nova-3, nova-2, nova-3-medical, ...)");
        }

        if (!ThinkProviders.Contains(ThinkProvider, StringComparer.Ordinal))
        {
            errors.Add($"{path}.think_provider: '{ThinkProvider}' is not supported; allowed values: {string.Join(", ", ThinkProviders)}");
        }
        else if (ThinkProvider == "open_ai" && !OpenAIThinkModels.Contains(ThinkModel, StringComparer.Ordinal))
        {
            errors.Add($"{path}.think_model: '{ThinkModel}' is not an open_ai model Deepgram offers; allowed values: {string.Join(", ", OpenAIThinkModels)}");
        }
        else if (string.IsNullOrWhiteSpace(ThinkModel))
        {
            errors.Add($"{path}.think_model: must name the {ThinkProvider} model");
        }

        if (string.IsNullOrWhiteSpace(SpeakModel) || !SpeakModel.StartsWith("aura-", StringComparison.Ordinal))
        {
            errors.Add($"{path}.speak_model: '{SpeakModel}' must be a Deepgram Aura voice (aura-2-<voice>-<lang>, e.g. aura-2-thalia-en)");
        }

        if (string.IsNullOrWhiteSpace(Prompt) || Prompt.Length > MaxPromptLength)
        {
            errors.Add($"{path}.prompt: must be 1 to {MaxPromptLength} characters (it is {Prompt?.Length ?? 0})");
        }

        if (Greeting is { Length: > 1_000 })
        {
            errors.Add($"{path}.greeting: must be at most 1000 characters (it is {Greeting.Length}); leave it empty for no greeting");
        }

        ValidateFormat(path, "input", InputEncoding, InputSampleRate, Linear16InputRates, errors);
        ValidateFormat(path, "output", OutputEncoding, OutputSampleRate, Linear16OutputRates, errors);

        if (KeepAliveSeconds is < 1 or > 8)
        {
            errors.Add($"{path}.keepalive_seconds: {KeepAliveSeconds} must be between 1 and 8 (Deepgram closes idle sessions; it asks for a KeepAlive at least every 8 s)");
        }

        if (MaxReconnectAttempts is < 0 or > 10)
        {
            errors.Add($"{path}.max_reconnect_attempts: {MaxReconnectAttempts} must be between 0 and 10");
        }

        if (ConnectTimeoutMs is < 500 or > 60_000)
        {
            errors.Add($"{path}.connect_timeout_ms: {ConnectTimeoutMs} must be between 500 and 60000");
        }

        if (MaxSessionMinutes is < 1 or > 120)
        {
            errors.Add($"{path}.max_session_minutes: {MaxSessionMinutes} must be between 1 and 120 (Deepgram closes every session at 2 hours)");
        }

        if (SessionRolloverMarginMs != 0 && SessionRolloverMarginMs is < 1_000 or > 1_800_000)
        {
            errors.Add($"{path}.session_rollover_margin_ms: {SessionRolloverMarginMs} must be 0 (off) or between 1000 and 1800000 (30 minutes)");
        }
        else if (SessionRolloverMarginMs != 0 && MaxSessionMinutes is >= 1 and <= 120 && SessionRolloverMarginMs >= MaxSessionMinutes * 60_000L / 2)
        {
            errors.Add($"{path}.session_rollover_margin_ms: {SessionRolloverMarginMs} must be less than half of max_session_minutes ({MaxSessionMinutes} min = {MaxSessionMinutes * 60_000L} ms)");
        }
    }

    /// <summary>Parses a sample-rate key: null for <c>auto</c>, the rate for a number; false when it is neither.</summary>
    internal static bool TryParseRate(string? value, out int? rate)
    {
        rate = null;
        if (string.IsNullOrWhiteSpace(value) || string.Equals(value, Auto, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) && parsed > 0)
        {
            rate = parsed;
            return true;
        }

        return false;
    }

    /// <summary>True for <c>auto</c> (or empty): the provider picks the encoding.</summary>
    internal static bool IsAuto(string? value) =>
        string.IsNullOrWhiteSpace(value) || string.Equals(value, Auto, StringComparison.OrdinalIgnoreCase);

    private static void ValidateFormat(string path, string direction, string encoding, string sampleRate, IReadOnlyList<int> linear16Rates, List<string> errors)
    {
        var encodingOk = IsAuto(encoding) || Encodings.Contains(encoding, StringComparer.Ordinal);
        if (!encodingOk)
        {
            errors.Add($"{path}.{direction}_encoding: '{encoding}' is not supported; allowed values: auto, {string.Join(", ", Encodings)}");
        }

        if (!TryParseRate(sampleRate, out var rate))
        {
            errors.Add($"{path}.{direction}_sample_rate: '{sampleRate}' must be auto or a rate in Hz ({string.Join(", ", linear16Rates)} for linear16; 8000 for mulaw/alaw)");
            return;
        }

        if (rate is null || !encodingOk)
        {
            return;
        }

        if (encoding is "mulaw" or "alaw")
        {
            if (rate != 8_000)
            {
                errors.Add($"{path}.{direction}_sample_rate: {rate} is not valid with {direction}_encoding {encoding}; allowed values: 8000");
            }
        }
        else if (!linear16Rates.Contains(rate.Value))
        {
            errors.Add($"{path}.{direction}_sample_rate: {rate} is not valid for linear16; allowed values: auto, {string.Join(", ", linear16Rates)}");
        }
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvVarName();

    [GeneratedRegex("^(multi|[a-z]{2,3}(-[A-Za-z0-9]{2,8})*)$")]
    private static partial Regex LanguageTag();
}
