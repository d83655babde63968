using AiAgent.Grains.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// The <c>openai_realtime</c> provider: one OpenAI Realtime (GA) session per call.
/// </summary>
/// <remarks>
/// <para><b>Transport: WebSocket</b> to <c>{base_url}/realtime?model=…</c> (default
/// <c>wss://api.openai.com/v1/realtime?model=gpt-realtime</c>) with <c>Authorization: Bearer</c> and no
/// <c>OpenAI-Beta</c> header. OpenAI recommends WebSocket for server-to-server use and WebRTC for browsers and
/// phones. Our server already holds the call's audio as PCM frames from Asterisk over TCP: a WebSocket carries them
/// as base64 JSON events with no second media stack. WebRTC would add ICE/DTLS/SRTP and an Opus encoder/decoder in
/// every silo, plus a jitter buffer that makes its own playout decisions. Over WebSocket we own playout, so we know
/// exactly how many milliseconds the caller heard, and that is what barge-in truncation needs. WebRTC exists to
/// protect an ephemeral key on an untrusted device and to survive lossy last-mile networks. Neither applies between
/// a data centre and api.openai.com.</para>
/// <para><b>Client: a small <see cref="System.Net.WebSockets.ClientWebSocket"/> client, not the OpenAI .NET SDK</b>
/// (2.15.0 <c>OpenAI.Realtime</c>). The SDK speaks GA, but it is marked experimental (OPENAI002). It also hides the
/// parts a telephony bridge must own: reconnect and re-seed policy, the single writer per socket, WebSocket ping
/// keepalive, the HTTP status of a failed upgrade (401 means hang up, not retry), and audio copies (its updates
/// are <c>BinaryData</c> per event). The protocol we use is eleven client events and about twenty server events. The
/// Deepgram provider follows the same pattern (there is no Deepgram SDK on the mirror), so both providers behave
/// the same on faults. Pointing <c>base_url</c> at the emulator is the only change between tests and production.</para>
/// <para>Options are read from <see cref="AgentOptions"/> when each session is created, so an edit applies to the
/// next call. The API key comes from the environment variable named by <c>api_key_env</c> and is never logged.</para>
/// </remarks>
public sealed class OpenAIRealtimeProvider(IOptionsMonitor<AgentOptions> options, ILoggerFactory loggerFactory, TimeProvider time, Tools.ToolMetrics toolMetrics) : IAgentProvider
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<OpenAIRealtimeSession>();

    /// <inheritdoc/>
    public string Name => OpenAIRealtimeOptions.Name;

    /// <inheritdoc/>
    public IAgentSession CreateSession(AgentSessionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var current = options.CurrentValue.Providers.OpenAIRealtime;
        var apiKey = string.IsNullOrEmpty(current.ApiKeyEnv) ? null : Environment.GetEnvironmentVariable(current.ApiKeyEnv);
        return new OpenAIRealtimeSession(Snapshot(current), apiKey, context, _logger, time, toolMetrics);
    }

    // Options objects are rebuilt on reload, but copy anyway: the session must not see a half-applied edit.
    private static OpenAIRealtimeOptions Snapshot(OpenAIRealtimeOptions o) => new()
    {
        ApiKeyEnv = o.ApiKeyEnv,
        Model = o.Model,
        Voice = o.Voice,
        BaseUrl = o.BaseUrl,
        Instructions = o.Instructions,
        Greeting = o.Greeting,
        InputEncoding = o.InputEncoding,
        InputSampleRate = o.InputSampleRate,
        OutputEncoding = o.OutputEncoding,
        OutputSampleRate = o.OutputSampleRate,
        TranscriptionModel = o.TranscriptionModel,
        MaxReconnectAttempts = o.MaxReconnectAttempts,
        ConnectTimeoutMs = o.ConnectTimeoutMs,
        ServerSilenceTimeoutMs = o.ServerSilenceTimeoutMs,
        SessionRolloverMarginMs = o.SessionRolloverMarginMs,
        TurnDetection = new OpenAIRealtimeTurnDetectionOptions
        {
            Type = o.TurnDetection.Type,
            Threshold = o.TurnDetection.Threshold,
            PrefixPaddingMs = o.TurnDetection.PrefixPaddingMs,
            SilenceDurationMs = o.TurnDetection.SilenceDurationMs,
            Eagerness = o.TurnDetection.Eagerness,
        },
    };
}

/// <summary>DI registration of the OpenAI Realtime provider.</summary>
public static class OpenAIRealtimeServiceCollectionExtensions
{
    /// <summary>Registers <see cref="OpenAIRealtimeProvider"/> as an <see cref="IAgentProvider"/> singleton, with its block <c>providers.openai_realtime</c>.</summary>
    public static IServiceCollection AddOpenAIRealtimeProvider(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<Tools.ToolMetrics>();
        return services.AddAgentProvider<OpenAIRealtimeProvider, OpenAIRealtimeOptions>(
            OpenAIRealtimeOptions.Name, static (o, c) => o.Validate(c.KeyPrefix, c.Errors, c.IsDefault));
    }
}
