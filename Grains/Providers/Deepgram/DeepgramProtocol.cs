using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using AiAgent.Grains.Providers.Transport;

namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>
/// The Deepgram Voice Agent v1 wire protocol on the shared transport (docs/protocols/deepgram.md):
/// <c>{base_url}/v1/agent/converse</c> with <c>Authorization: Token …</c>, a <c>Settings</c> frame first and once
/// (re-seeded with the conversation and without the greeting after a reconnect or rollover, and from the start for a
/// call resumed on another silo), binary audio both ways,
/// <c>KeepAlive</c> only while no caller audio flows.
/// </summary>
internal sealed class DeepgramProtocol(DeepgramCall call, string apiKey, DeepgramMessageHandler messages, DeepgramTurns turns) : IProviderProtocol
{
    /// <summary>Caller audio held while no connection is ready for it.</summary>
    public const int PreSettingsBufferMs = 1_000;

    private static readonly byte[] s_keepAlive = """{"type":"KeepAlive"}"""u8.ToArray();

    /// <inheritdoc/>
    public Uri Endpoint { get; } = BuildEndpoint(call.Options.BaseUrl);

    /// <inheritdoc/>
    public TimeSpan ConnectTimeout => TimeSpan.FromMilliseconds(call.Options.ConnectTimeoutMs);

    /// <inheritdoc/>
    public string ReadyMessageName => "SettingsApplied";

    /// <inheritdoc/>
    public int PreReadyAudioBudgetBytes { get; } = call.Formats.Input.BytesFor(TimeSpan.FromMilliseconds(PreSettingsBufferMs));

    /// <inheritdoc/>
    public TimeSpan KeepAliveInterval => TimeSpan.FromSeconds(call.Options.KeepAliveSeconds);

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> KeepAliveMessage => s_keepAlive;

    /// <inheritdoc/>
    /// <remarks>Off: the agent's thinking time before it speaks (an LLM and TTS behind the socket) has no bound the
    /// API documents, so silence alone does not tell a stall from a slow answer.</remarks>
    public TimeSpan ServerSilenceLimit => TimeSpan.Zero;

    /// <inheritdoc/>
    public bool AnswerDue => false;

    /// <summary>Builds <c>{base_url}/v1/agent/converse</c> (a base URL that already names the path is kept).</summary>
    public static Uri BuildEndpoint(string baseUrl)
    {
        const string path = "/v1/agent/converse";
        var trimmed = baseUrl.TrimEnd('/');
        return new Uri(trimmed.EndsWith(path, StringComparison.Ordinal) ? trimmed : trimmed + path);
    }

    /// <inheritdoc/>
    public void ConfigureHandshake(ClientWebSocketOptions options) => options.SetRequestHeader("Authorization", "Token " + apiKey);

    /// <inheritdoc/>
    public ConnectionFault OnUpgradeFailed(UpgradeFailure failure)
    {
        if (failure.StatusCode is (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden)
        {
            DeepgramLog.AuthenticationFailed(call.Logger, call.CallId, failure.StatusCode);
            return new ConnectionFault(ProviderErrorKind.Authentication, $"HTTP_{failure.StatusCode}",
                "Deepgram rejected the API key at the WebSocket upgrade", Final: true);
        }

        var code = failure.TimedOut ? "CONNECT_TIMEOUT" : "CONNECT_FAILED";
        var status = failure.StatusCode == 0 ? string.Empty : $" (HTTP {failure.StatusCode})";
        DeepgramLog.ConnectionLost(call.Logger, call.CallId, null, code, failure.Exception?.Message ?? $"no upgrade within {call.Options.ConnectTimeoutMs} ms", failure.Exception);
        return new ConnectionFault(failure.StatusCode == (int)HttpStatusCode.TooManyRequests ? ProviderErrorKind.RateLimited : ProviderErrorKind.Disconnected,
            code, $"cannot connect to {Endpoint.GetLeftPart(UriPartial.Path)}{status}");
    }

    /// <inheritdoc/>
    public async ValueTask OnConnectedAsync(ProviderConnection connection, CancellationToken cancellationToken)
    {
        // Settings is the first frame on the socket; nothing else may precede SettingsApplied (the transport holds it).
        // A call resumed on another silo is no first contact: it is seeded with the prior conversation, never greeted.
        var greet = connection.Purpose == ConnectPurpose.First && !call.Resumed;
        var history = greet ? [] : call.History();
        DeepgramConnectionState.Of(connection).HistorySeeded = history.Length;
        var settings = DeepgramSettingsBuilder.Build(call.Options, call.Formats, history, includeGreeting: greet, call.Tools.Tools);
        var json = JsonSerializer.SerializeToUtf8Bytes(settings, DeepgramJsonContext.Default.SettingsMessage);
        await connection.SendDirectAsync(json, WebSocketMessageType.Text, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask<bool> OnTextAsync(ProviderConnection connection, ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken) =>
        ValueTask.FromResult(messages.Handle(connection, utf8.Span));

    /// <inheritdoc/>
    public void OnBinary(ProviderConnection connection, ReadOnlySpan<byte> data)
    {
        if (connection.IsCurrent)
        {
            turns.OnAgentAudio(data);
        }
    }

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> EncodeAudio(ReadOnlyMemory<byte> audio, ArrayBufferWriter<byte> scratch, out WebSocketMessageType messageType)
    {
        messageType = WebSocketMessageType.Binary;
        return audio;
    }
}
