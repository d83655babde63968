using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using AiAgent.Grains.Providers.Transport;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// The OpenAI Realtime GA wire protocol on the shared transport (docs/protocols/openai-realtime.md):
/// <c>{base_url}/realtime?model=…</c> with <c>Authorization: Bearer</c>; <c>session.created</c>, then our
/// <c>session.update</c>, then <c>session.updated</c> (the only confirmation, its formats checked) makes the socket
/// ready; a reconnect or rollover re-seeds the conversation so far as text items first (and after a drop asks again
/// for an answer it cut off), the first connection greets (or, for a call resumed on another silo, is seeded with the
/// prior conversation and asks for the answer the caller is owed). Caller audio goes out as <c>input_audio_buffer.append</c>;
/// keepalive is WebSocket pings (the API rejects unknown JSON events such as a "ping").
/// </summary>
internal sealed class RealtimeProtocol(RealtimeCall call, RealtimeServerEventHandler events, RealtimeTransportObserver observer) : IProviderProtocol
{
    private static readonly TimeSpan s_keepAlive = TimeSpan.FromSeconds(15);

    // One writer per send loop (each has its own scratch buffer): no allocation per 20 ms append.
    private Utf8JsonWriter? _writer;
    private ArrayBufferWriter<byte>? _writerBuffer;

    /// <inheritdoc/>
    public Uri Endpoint { get; } = call.Options.BuildRealtimeUri();

    /// <inheritdoc/>
    public TimeSpan ConnectTimeout => TimeSpan.FromMilliseconds(call.Options.ConnectTimeoutMs);

    /// <inheritdoc/>
    public string ReadyMessageName => "session.updated";

    /// <inheritdoc/>
    /// <remarks>None: stale caller audio would start false turns, so audio is dropped (and counted) until the socket is ready.</remarks>
    public int PreReadyAudioBudgetBytes => 0;

    /// <inheritdoc/>
    public TimeSpan KeepAliveInterval => s_keepAlive;

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> KeepAliveMessage => ReadOnlyMemory<byte>.Empty;

    /// <inheritdoc/>
    public TimeSpan ServerSilenceLimit { get; } = TimeSpan.FromMilliseconds(call.Options.ServerSilenceTimeoutMs);

    /// <inheritdoc/>
    public bool AnswerDue => call.Conversation.AnswerDue;

    /// <inheritdoc/>
    public void ConfigureHandshake(ClientWebSocketOptions options)
    {
        options.SetRequestHeader("Authorization", "Bearer " + call.ApiKey);
        // With a pong timeout set, a peer that stops answering pings aborts the socket and the transport reconnects.
        options.KeepAliveInterval = s_keepAlive;
        options.KeepAliveTimeout = s_keepAlive;
    }

    /// <inheritdoc/>
    public ConnectionFault OnUpgradeFailed(UpgradeFailure failure)
    {
        if (failure.StatusCode is (int)HttpStatusCode.Unauthorized or (int)HttpStatusCode.Forbidden)
        {
            var message = $"the API key from {call.Options.ApiKeyEnv} was rejected (HTTP {failure.StatusCode} at the WebSocket upgrade)";
            OpenAIRealtimeLog.AuthenticationFailed(call.Logger, call.CallId, "http_" + failure.StatusCode, message);
            return new ConnectionFault(ProviderErrorKind.Authentication, "invalid_api_key", message, Final: true);
        }

        if (failure.TimedOut)
        {
            return new ConnectionFault(ProviderErrorKind.Disconnected, "connect_timeout", $"no WebSocket upgrade within {call.Options.ConnectTimeoutMs} ms");
        }

        var status = failure.StatusCode == 0 ? (failure.Exception as WebSocketException)?.WebSocketErrorCode.ToString() ?? "no response" : "HTTP " + failure.StatusCode;
        var kind = failure.StatusCode == (int)HttpStatusCode.TooManyRequests ? ProviderErrorKind.RateLimited : ProviderErrorKind.Disconnected;
        return new ConnectionFault(kind, "connect_failed", $"could not open {Endpoint.GetLeftPart(UriPartial.Path)} ({status})");
    }

    /// <inheritdoc/>
    /// <remarks>Nothing yet: <c>session.update</c> answers <c>session.created</c>.</remarks>
    public ValueTask OnConnectedAsync(ProviderConnection connection, CancellationToken cancellationToken)
    {
        RealtimeConnectionState.Of(connection);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public async ValueTask<bool> OnTextAsync(ProviderConnection connection, ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken)
    {
        RealtimeServerEvent e;
        try
        {
            e = RealtimeServerEvent.Parse(utf8);
        }
        catch (JsonException ex)
        {
            OpenAIRealtimeLog.BadServerEvent(call.Logger, call.CallId, ex.Message);
            return true;
        }

        if (!connection.IsReady)
        {
            return await HandshakeAsync(connection, e, cancellationToken).ConfigureAwait(false);
        }

        ConnectionFault? fault;
        try
        {
            fault = events.Handle(e, RealtimeConnectionState.Of(connection).Epoch);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
        {
            // A well-formed event with an unexpected shape inside: skip it, never the session.
            OpenAIRealtimeLog.BadServerEvent(call.Logger, call.CallId, $"{e.RawType ?? e.Type.ToString()}: {ex.GetType().Name}");
            return true;
        }

        if (fault is null)
        {
            return true;
        }

        connection.Fail(fault);
        return false;
    }

    /// <inheritdoc/>
    public void OnBinary(ProviderConnection connection, ReadOnlySpan<byte> data) =>
        OpenAIRealtimeLog.BadServerEvent(call.Logger, call.CallId, "binary message");

    /// <inheritdoc/>
    public ReadOnlyMemory<byte> EncodeAudio(ReadOnlyMemory<byte> audio, ArrayBufferWriter<byte> scratch, out WebSocketMessageType messageType)
    {
        messageType = WebSocketMessageType.Text;
        if (_writer is null || !ReferenceEquals(_writerBuffer, scratch))
        {
            _writer?.Dispose();
            _writer = new Utf8JsonWriter(scratch);
            _writerBuffer = scratch;
        }
        else
        {
            _writer.Reset(scratch);
        }

        RealtimeJson.WriteAppend(_writer, audio.Span);
        return scratch.WrittenMemory;
    }

    /// <summary>
    /// Until <c>session.updated</c>: 1. <c>session.created</c> (or an <c>error</c>, e.g. <c>invalid_api_key</c>,
    /// then close) is answered with <c>session.update</c>; 2. <c>session.updated</c> is checked, the conversation
    /// re-seeded (or the caller greeted), and the socket marked ready.
    /// </summary>
    private async ValueTask<bool> HandshakeAsync(ProviderConnection connection, RealtimeServerEvent e, CancellationToken cancellationToken)
    {
        var state = RealtimeConnectionState.Of(connection);
        if (e.Type == ServerEventType.Error)
        {
            var error = RealtimeErrors.Read(e, call.ApiKey);
            var classified = RealtimeErrors.Classify(error);
            var final = classified.Kind == ProviderErrorKind.Authentication;
            if (final)
            {
                OpenAIRealtimeLog.AuthenticationFailed(call.Logger, call.CallId, error.Code, error.Message);
            }

            return Fail(connection, new ConnectionFault(classified.Kind, classified.Code, classified.Message, final));
        }

        if (!state.Created)
        {
            if (e.Type != ServerEventType.SessionCreated)
            {
                return Fail(connection, new ConnectionFault(ProviderErrorKind.InvalidRequest, "unexpected_event",
                    $"expected session.created first, got {e.RawType ?? e.Type.ToString()}"));
            }

            state.Created = true;
            state.ExpiresAt = RealtimeJson.ReadExpiresAt(e.Session.Span);
            var update = new SessionUpdateEvent(call.EventIds.Next("session.update"), RealtimeSessionSettings.Build(call.Options, call.Formats, call.Tools.Tools));
            await SendAsync(connection, JsonSerializer.SerializeToUtf8Bytes(update, RealtimeJsonContext.Default.SessionUpdateEvent), cancellationToken).ConfigureAwait(false);
            return true;
        }

        if (e.Type != ServerEventType.SessionUpdated)
        {
            return true;
        }

        if (CheckEffectiveSession(e.Session.Span, state) is { } mismatch)
        {
            return Fail(connection, mismatch);
        }

        state.ExpiresAt = RealtimeJson.ReadExpiresAt(e.Session.Span) ?? state.ExpiresAt;
        await ConfigureAsync(connection, state, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>The session is configured: re-seed it (never the greeting again) or greet, then it carries the call.</summary>
    private async ValueTask ConfigureAsync(ProviderConnection connection, RealtimeConnectionState state, CancellationToken cancellationToken)
    {
        var attempt = connection.Purpose == ConnectPurpose.Reconnect ? Math.Max(1, connection.Attempt) : 0;
        var (epoch, seed, resume) = call.Conversation.BeginConnection(attempt, rollover: connection.Purpose == ConnectPurpose.Rollover);
        state.Epoch = epoch;
        state.Seeded = seed.Count;
        call.Configured(connection, epoch);
        foreach (var item in seed)
        {
            var create = new ConversationItemCreateEvent(call.EventIds.Next("conversation.item.create"), item);
            await SendAsync(connection, JsonSerializer.SerializeToUtf8Bytes(create, RealtimeJsonContext.Default.ConversationItemCreateEvent), cancellationToken).ConfigureAwait(false);
        }

        if (resume)
        {
            await SendAsync(connection, ResponseCreate(null), cancellationToken).ConfigureAwait(false);
        }

        if (connection.Purpose != ConnectPurpose.Rollover)
        {
            // A successor carries the call only from its handover (RealtimeTransportObserver.OnHandover).
            observer.Carrying(epoch);
        }

        switch (connection.Purpose)
        {
            case ConnectPurpose.First:
                call.Publish(new SessionStarted(state.SessionId));
                OpenAIRealtimeLog.SessionStarted(call.Logger, call.CallId, call.Options.Model, call.Formats.Input, call.Formats.Output, state.SessionId);
                if (call.Resumed)
                {
                    // The caller was greeted on the lost silo: the seed (and an owed answer) is all this session says.
                    OpenAIRealtimeLog.Resumed(call.Logger, call.CallId, seed.Count, resume, state.SessionId);
                }
                else if (call.Options.Greeting.Length > 0)
                {
                    call.Conversation.ResponseRequested();
                    await SendAsync(connection, ResponseCreate(new ResponseCreateParams(RealtimeSessionSettings.GreetingInstructions(call.Options))), cancellationToken).ConfigureAwait(false);
                }

                break;
            case ConnectPurpose.Reconnect:
                OpenAIRealtimeLog.Reconnected(call.Logger, call.CallId, attempt, seed.Count, state.SessionId);
                call.Publish(new ProviderReconnected(attempt));
                break;
        }

        connection.MarkReady();
    }

    private byte[] ResponseCreate(ResponseCreateParams? response) =>
        JsonSerializer.SerializeToUtf8Bytes(new ResponseCreateEvent(call.EventIds.Next("response.create"), response), RealtimeJsonContext.Default.ResponseCreateEvent);

    private static ValueTask SendAsync(ProviderConnection connection, byte[] json, CancellationToken cancellationToken) =>
        connection.SendDirectAsync(json, WebSocketMessageType.Text, cancellationToken);

    private static bool Fail(ProviderConnection connection, ConnectionFault fault)
    {
        connection.Fail(fault);
        return false;
    }

    private ConnectionFault? CheckEffectiveSession(ReadOnlySpan<byte> session, RealtimeConnectionState state)
    {
        if (RealtimeSessionSettings.ReadEffective(session, call.Formats) is not { } effective)
        {
            return new ConnectionFault(ProviderErrorKind.InvalidRequest, "invalid_session", "session.updated carried no session object", Final: true);
        }

        state.SessionId = effective.SessionId;
        if (effective.MatchesDeclared)
        {
            return null;
        }

        var formats = call.Formats;
        var applied = $"{RealtimeSessionSettings.Describe(effective.Input)}/{RealtimeSessionSettings.Describe(effective.Output)}";
        var declared = $"{RealtimeSessionSettings.Describe(RealtimeSessionSettings.ToWire(formats.Input))}/{RealtimeSessionSettings.Describe(RealtimeSessionSettings.ToWire(formats.Output))}";
        OpenAIRealtimeLog.FormatMismatch(call.Logger, RealtimeSessionSettings.Describe(effective.Input), RealtimeSessionSettings.Describe(effective.Output), call.CallId, formats.Input, formats.Output);
        return new ConnectionFault(ProviderErrorKind.InvalidRequest, "format_mismatch", $"the server applied {applied}, not the declared {declared}", Final: true);
    }
}
