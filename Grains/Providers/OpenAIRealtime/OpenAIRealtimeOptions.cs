using System.Globalization;
using AiAgent.Grains.Interfaces.Audio;
using Microsoft.Extensions.Configuration;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// <c>providers.openai_realtime</c> (seed 6.2): the OpenAI Realtime GA session a call opens. Read afresh when each
/// session is created, so an edit applies to the next call.
/// </summary>
public sealed class OpenAIRealtimeOptions
{
    /// <summary>The provider's config name.</summary>
    public const string Name = "openai_realtime";

    /// <summary>The value that lets the call's format pick an encoding or rate.</summary>
    public const string Auto = "auto";

    /// <summary>Built-in GA voices (docs/protocols/openai-realtime.md#sessionupdate).</summary>
    public static readonly IReadOnlyList<string> Voices = ["alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar"];

    /// <summary>Input transcription models the GA schema lists; empty turns transcription off.</summary>
    public static readonly IReadOnlyList<string> TranscriptionModels =
    [
        "whisper-1", "gpt-4o-transcribe", "gpt-4o-mini-transcribe", "gpt-4o-mini-transcribe-2025-12-15", "gpt-4o-transcribe-diarize",
        "gpt-realtime-whisper", "gpt-transcribe", "gpt-live-transcribe",
    ];

    /// <summary>Values of <c>input_encoding</c> / <c>output_encoding</c>.</summary>
    public static readonly IReadOnlyList<string> Encodings = [Auto, "pcm16", "pcmu", "pcma"];

    /// <summary><c>api_key_env</c>: the environment variable holding the API key (the key itself never goes in YAML).</summary>
    [ConfigurationKeyName("api_key_env")]
    public string ApiKeyEnv { get; set; } = "OPENAI_API_KEY";

    /// <summary><c>model</c>: the realtime model (the <c>?model=</c> query parameter; cannot change mid-session).</summary>
    public string Model { get; set; } = "gpt-realtime";

    /// <summary><c>voice</c>: one of <see cref="Voices"/>.</summary>
    public string Voice { get; set; } = "marin";

    /// <summary><c>base_url</c>: <c>wss://api.openai.com/v1</c>, or an emulator (<c>ws://127.0.0.1:8765/v1</c>). http(s) maps to ws(s).</summary>
    [ConfigurationKeyName("base_url")]
    public string BaseUrl { get; set; } = "wss://api.openai.com/v1";

    /// <summary><c>instructions</c>: the session's system instructions.</summary>
    public string Instructions { get; set; } = "You are a helpful, concise voice assistant answering a phone call. Keep answers short.";

    /// <summary><c>greeting</c>: instructions for the first response at session start; empty means the agent waits for the caller.</summary>
    public string Greeting { get; set; } = "Greet the caller in one short sentence and ask how you can help.";

    /// <summary><c>input_encoding</c>: <c>auto</c>, <c>pcm16</c>, <c>pcmu</c> or <c>pcma</c>.</summary>
    [ConfigurationKeyName("input_encoding")]
    public string InputEncoding { get; set; } = Auto;

    /// <summary><c>input_sample_rate</c>: <c>auto</c> or the rate (24000 for pcm16, 8000 for pcmu/pcma).</summary>
    [ConfigurationKeyName("input_sample_rate")]
    public string InputSampleRate { get; set; } = Auto;

    /// <summary><c>output_encoding</c>: <c>auto</c>, <c>pcm16</c>, <c>pcmu</c> or <c>pcma</c>.</summary>
    [ConfigurationKeyName("output_encoding")]
    public string OutputEncoding { get; set; } = Auto;

    /// <summary><c>output_sample_rate</c>: <c>auto</c> or the rate (24000 for pcm16, 8000 for pcmu/pcma).</summary>
    [ConfigurationKeyName("output_sample_rate")]
    public string OutputSampleRate { get; set; } = Auto;

    /// <summary><c>turn_detection</c>: the server's VAD.</summary>
    [ConfigurationKeyName("turn_detection")]
    public OpenAIRealtimeTurnDetectionOptions TurnDetection { get; set; } = new();

    /// <summary><c>transcription_model</c>: input transcription model; empty turns caller transcripts off.</summary>
    [ConfigurationKeyName("transcription_model")]
    public string TranscriptionModel { get; set; } = "gpt-4o-mini-transcribe";

    /// <summary><c>max_reconnect_attempts</c>: reconnects tried after a drop or session expiry before the call is hung up.</summary>
    [ConfigurationKeyName("max_reconnect_attempts")]
    public int MaxReconnectAttempts { get; set; } = 3;

    /// <summary><c>connect_timeout_ms</c>: upgrade through <c>session.updated</c> must finish within this.</summary>
    [ConfigurationKeyName("connect_timeout_ms")]
    public int ConnectTimeoutMs { get; set; } = 10_000;

    /// <summary>
    /// <c>server_silence_timeout_ms</c>: while an answer is asked for or under way, a server that sends nothing for this
    /// long counts as a lost connection (reconnect, the answer asked for again); the API streams an answer's events far
    /// faster than real time, so only a stalled socket is this quiet. 0 turns it off (the WebSocket keep-alive then
    /// notices a dead peer in 15–30 s).
    /// </summary>
    [ConfigurationKeyName("server_silence_timeout_ms")]
    public int ServerSilenceTimeoutMs { get; set; } = 5_000;

    /// <summary>
    /// How long before <c>session.expires_at</c> (60 min after the session opened) a planned rollover to a fresh
    /// session may start, at a quiet moment (no answer in progress, no agent audio still playing, caller silent);
    /// forced shortly before expiry if no quiet moment comes. 0 turns planning off (only <c>session_expired</c>
    /// then moves the call to a new session).
    /// </summary>
    [ConfigurationKeyName("session_rollover_margin_ms")]
    public int SessionRolloverMarginMs { get; set; } = 300_000;

    /// <summary>Appends an error per invalid key to <paramref name="errors"/>, each prefixed with <paramref name="path"/>.</summary>
    /// <param name="path">The YAML path of this block.</param>
    /// <param name="errors">Where errors go.</param>
    /// <param name="isDefault">True when this provider is <c>default_provider</c> (then a missing API key is an error).</param>
    public void Validate(string path, List<string> errors, bool isDefault) =>
        Validate(path, errors, isDefault, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="Validate(string, List{string}, bool)"/> with an injectable environment (tests).</summary>
    internal void Validate(string path, List<string> errors, bool isDefault, Func<string, string?> getEnvironmentVariable)
    {
        if (string.IsNullOrWhiteSpace(ApiKeyEnv) || !IsEnvironmentVariableName(ApiKeyEnv))
        {
            errors.Add($"{path}.api_key_env: '{ApiKeyEnv}' is not an environment variable name (letters, digits and '_', not starting with a digit)");
        }
        else if (isDefault && string.IsNullOrEmpty(getEnvironmentVariable(ApiKeyEnv)))
        {
            errors.Add($"{path}.api_key_env: environment variable {ApiKeyEnv} is not set");
        }

        if (string.IsNullOrWhiteSpace(Model) || !Model.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_'))
        {
            errors.Add($"{path}.model: '{Model}' is not a model id (e.g. gpt-realtime, gpt-realtime-mini)");
        }

        if (!Voices.Contains(Voice, StringComparer.Ordinal))
        {
            errors.Add($"{path}.voice: '{Voice}' is not a voice; allowed values: {string.Join(", ", Voices)}");
        }

        if (!Uri.TryCreate(BaseUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("ws" or "wss" or "http" or "https") ||
            !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
        {
            errors.Add($"{path}.base_url: '{BaseUrl}' must be an absolute ws://, wss://, http:// or https:// URL without a query (e.g. wss://api.openai.com/v1)");
        }

        if (Instructions.Length > 32_000)
        {
            errors.Add($"{path}.instructions: {Instructions.Length} characters is too long (at most 32000)");
        }

        if (Greeting.Length > 4_000)
        {
            errors.Add($"{path}.greeting: {Greeting.Length} characters is too long (at most 4000)");
        }

        ValidateFormat(path, "input", InputEncoding, InputSampleRate, errors);
        ValidateFormat(path, "output", OutputEncoding, OutputSampleRate, errors);
        TurnDetection.Validate($"{path}.turn_detection", errors);

        if (TranscriptionModel.Length > 0 && !TranscriptionModels.Contains(TranscriptionModel, StringComparer.Ordinal))
        {
            errors.Add($"{path}.transcription_model: '{TranscriptionModel}' is not a transcription model; allowed values: '' (off), {string.Join(", ", TranscriptionModels)}");
        }

        if (MaxReconnectAttempts is < 0 or > 10)
        {
            errors.Add($"{path}.max_reconnect_attempts: {MaxReconnectAttempts} must be between 0 and 10");
        }

        if (ConnectTimeoutMs is < 500 or > 60_000)
        {
            errors.Add($"{path}.connect_timeout_ms: {ConnectTimeoutMs} must be between 500 and 60000");
        }

        if (ServerSilenceTimeoutMs != 0 && ServerSilenceTimeoutMs is < 1_000 or > 60_000)
        {
            errors.Add($"{path}.server_silence_timeout_ms: {ServerSilenceTimeoutMs} must be 0 (off) or between 1000 and 60000");
        }

        if (SessionRolloverMarginMs != 0 && SessionRolloverMarginMs is < 1_000 or > 1_800_000)
        {
            errors.Add($"{path}.session_rollover_margin_ms: {SessionRolloverMarginMs} must be 0 (off) or between 1000 and 1800000 (30 minutes)");
        }
    }

    /// <summary>
    /// The formats a session uses for a call. <c>auto</c> avoids resampling where the call allows it: G.711 µ-law
    /// both ways for an 8 kHz call (A-law for an A-law call), PCM16 24 kHz for any wider-band call.
    /// </summary>
    public ProviderAudioFormats ResolveFormats(AudioFormat callFormat) =>
        new(Resolve(InputEncoding, callFormat), Resolve(OutputEncoding, callFormat));

    /// <summary>The WebSocket URL of a session: <c>{base_url}/realtime?model=…</c>.</summary>
    public Uri BuildRealtimeUri()
    {
        var builder = new UriBuilder(BaseUrl.TrimEnd('/') + "/realtime");
        builder.Scheme = builder.Scheme switch { "http" => "ws", "https" => "wss", var s => s };
        builder.Port = new Uri(BaseUrl).IsDefaultPort ? -1 : builder.Port;
        builder.Query = "model=" + Uri.EscapeDataString(Model);
        return builder.Uri;
    }

    private static AudioFormat Resolve(string encoding, AudioFormat callFormat) => encoding switch
    {
        "pcm16" => AudioFormat.Slin24,
        "pcmu" => AudioFormat.Mulaw8,
        "pcma" => AudioFormat.Alaw8,
        _ when callFormat.SampleRate <= 8_000 => callFormat.Encoding == AudioEncoding.Alaw ? AudioFormat.Alaw8 : AudioFormat.Mulaw8,
        _ => AudioFormat.Slin24,
    };

    private static void ValidateFormat(string path, string direction, string encoding, string sampleRate, List<string> errors)
    {
        if (!Encodings.Contains(encoding, StringComparer.Ordinal))
        {
            errors.Add($"{path}.{direction}_encoding: '{encoding}' is not an encoding; allowed values: {string.Join(", ", Encodings)}");
            return;
        }

        if (sampleRate == Auto)
        {
            return;
        }

        if (!int.TryParse(sampleRate, NumberStyles.None, CultureInfo.InvariantCulture, out var rate))
        {
            errors.Add($"{path}.{direction}_sample_rate: '{sampleRate}' must be 'auto' or a rate in Hz (24000 for pcm16, 8000 for pcmu/pcma)");
            return;
        }

        switch (encoding)
        {
            case Auto:
                errors.Add($"{path}.{direction}_sample_rate: {rate} needs an explicit {direction}_encoding (pcm16, pcmu or pcma); with {direction}_encoding 'auto' it must be 'auto'");
                break;
            case "pcm16" when rate != 24_000:
                errors.Add($"{path}.{direction}_sample_rate: {rate} is not supported for pcm16; OpenAI Realtime audio/pcm is 24000 Hz only");
                break;
            case "pcmu" or "pcma" when rate != 8_000:
                errors.Add($"{path}.{direction}_sample_rate: {rate} is not supported for {encoding}; G.711 is 8000 Hz only");
                break;
        }
    }

    private static bool IsEnvironmentVariableName(string name) =>
        !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');
}

/// <summary><c>providers.openai_realtime.turn_detection</c>: the server VAD that ends caller turns.</summary>
public sealed class OpenAIRealtimeTurnDetectionOptions
{
    /// <summary>Values of <c>type</c>.</summary>
    public static readonly IReadOnlyList<string> Types = ["server_vad", "semantic_vad"];

    /// <summary>Values of <c>eagerness</c>.</summary>
    public static readonly IReadOnlyList<string> EagernessValues = ["low", "medium", "high", "auto"];

    /// <summary><c>type</c>: <c>server_vad</c> (energy/silence) or <c>semantic_vad</c> (the model judges the end of the turn).</summary>
    public string Type { get; set; } = "server_vad";

    /// <summary><c>threshold</c> (server_vad): activation threshold 0–1; raise it on noisy lines.</summary>
    public double Threshold { get; set; } = 0.5;

    /// <summary><c>prefix_padding_ms</c> (server_vad): audio kept before detected speech.</summary>
    [ConfigurationKeyName("prefix_padding_ms")]
    public int PrefixPaddingMs { get; set; } = 300;

    /// <summary><c>silence_duration_ms</c> (server_vad): silence that ends a turn.</summary>
    [ConfigurationKeyName("silence_duration_ms")]
    public int SilenceDurationMs { get; set; } = 500;

    /// <summary><c>eagerness</c> (semantic_vad): how soon the model answers.</summary>
    public string Eagerness { get; set; } = "auto";

    /// <summary>Appends an error per invalid key.</summary>
    public void Validate(string path, List<string> errors)
    {
        if (!Types.Contains(Type, StringComparer.Ordinal))
        {
            errors.Add($"{path}.type: '{Type}' is not a turn detection type; allowed values: {string.Join(", ", Types)}");
        }

        if (double.IsNaN(Threshold) || Threshold is < 0 or > 1)
        {
            errors.Add($"{path}.threshold: {Threshold.ToString(CultureInfo.InvariantCulture)} must be between 0 and 1");
        }

        if (PrefixPaddingMs is < 0 or > 5_000)
        {
            errors.Add($"{path}.prefix_padding_ms: {PrefixPaddingMs} must be between 0 and 5000");
        }

        if (SilenceDurationMs is < 100 or > 10_000)
        {
            errors.Add($"{path}.silence_duration_ms: {SilenceDurationMs} must be between 100 and 10000");
        }

        if (!EagernessValues.Contains(Eagerness, StringComparer.Ordinal))
        {
            errors.Add($"{path}.eagerness: '{Eagerness}' is not an eagerness; allowed values: {string.Join(", ", EagernessValues)}");
        }
    }
}
