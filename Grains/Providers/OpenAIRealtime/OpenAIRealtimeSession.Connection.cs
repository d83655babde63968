using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

// OpenAIRealtimeSession, part: Connection management: handshake, reconnect with re-seeding, the receive and send loops.
public sealed partial class OpenAIRealtimeSession
{
    private async Task SuperviseAsync(Connection connection)
    {
        try
        {
            await SuperviseConnectionsAsync(connection).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Defensive: a bug here must end this call cleanly, not leave the grain waiting on a silent session.
            OpenAIRealtimeLog.SessionFailed(_logger, _callId, "internal error", ex);
            Fail(new ProviderError(ProviderErrorKind.Other, "internal_error", ex.GetType().Name, Fatal: true), "internal error");
        }
    }

    private async Task SuperviseConnectionsAsync(Connection connection)
    {
        while (true)
        {
            var outcome = await RunConnectionAsync(connection).ConfigureAwait(false);
            if (outcome.Kind == OutcomeKind.Stopped)
            {
                return;
            }

            if (outcome.Kind == OutcomeKind.Fatal)
            {
                Fail(outcome.Error!, outcome.Error!.Message);
                return;
            }

            if (outcome.Kind == OutcomeKind.Rollover)
            {
                // Planned: the new session is configured and re-seeded already; caller audio queued meanwhile goes to it.
                if (SettleOldConnection(connection.Epoch, lost: false))
                {
                    // Forced at the deadline with an answer under way: ask for it again on the new session.
                    EnqueueJson(new ResponseCreateEvent(NextEventId("response.create"), null), RealtimeJsonContext.Default.ResponseCreateEvent, epoch: 0);
                }

                // Attempt 0 marks a planned rollover (a fault's reconnect counts from 1): counted with the reconnects.
                Publish(new ProviderReconnected(0));
                connection = outcome.Successor!;
                continue;
            }

            // Dropped or expired: report it (not fatal: we reconnect), close any utterance in flight, then reconnect.
            Publish(outcome.Error!);
            SettleOldConnection(connection.Epoch, lost: true);
            Connection? next = null;
            var attempt = 0;
            while (next is null && ++attempt <= _options.MaxReconnectAttempts)
            {
                OpenAIRealtimeLog.Reconnecting(_logger, _callId, outcome.Error!.Message, attempt, _options.MaxReconnectAttempts);
                try
                {
                    // First retry at once (an expired session is not a network problem), then 250 ms, 500 ms, ... up to 4 s.
                    if (attempt > 1)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(4_000, 125 << Math.Min(attempt - 1, 5))), _time, _stopping.Token).ConfigureAwait(false);
                    }

                    var result = await ConnectAsync(attempt, _stopping.Token).ConfigureAwait(false);
                    next = result.Connection;
                    if (next is null && result.Error is { Kind: ProviderErrorKind.Authentication })
                    {
                        Fail(result.Error, result.Error.Message);
                        return;
                    }
                }
                catch (OperationCanceledException) when (_stopping.IsCancellationRequested || Volatile.Read(ref _stopRequested) != 0)
                {
                    return;
                }
            }

            if (Volatile.Read(ref _stopRequested) != 0)
            {
                next?.Dispose();
                return;
            }

            if (next is null)
            {
                var message = $"could not reconnect after {_options.MaxReconnectAttempts} attempts ({outcome.Error!.Message})";
                Fail(new ProviderError(ProviderErrorKind.Disconnected, "reconnect_failed", message, Fatal: true), message);
                return;
            }

            Publish(new ProviderReconnected(attempt));
            connection = next;
        }
    }

    private async Task<ConnectResult> ConnectAsync(int attempt, CancellationToken cancellationToken, bool rollover = false)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + _apiKey);
        // Keepalive is WebSocket ping frames (the API rejects unknown JSON events such as a "ping"); with a timeout
        // set, a peer that stops answering pongs aborts the socket and the receive loop reconnects.
        socket.Options.KeepAliveInterval = s_keepAlive;
        socket.Options.KeepAliveTimeout = s_keepAlive;
        socket.Options.CollectHttpResponseDetails = true;
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(_options.ConnectTimeoutMs), _time);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token, deadline.Token);
        var buffer = new MessageBuffer();
        var handedOver = false;
        try
        {
            OpenAIRealtimeLog.Connecting(_logger, _callId, RealtimeUri, attempt);
            try
            {
                await socket.ConnectAsync(RealtimeUri, timeout.Token).ConfigureAwait(false);
            }
            catch (WebSocketException) when (socket.HttpStatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                var status = (int)socket.HttpStatusCode;
                var message = $"the API key from {_options.ApiKeyEnv} was rejected (HTTP {status} at the WebSocket upgrade)";
                OpenAIRealtimeLog.AuthenticationFailed(_logger, _callId, "http_" + status, message);
                return ConnectResult.Failed(new ProviderError(ProviderErrorKind.Authentication, "invalid_api_key", message, Fatal: true));
            }
            catch (WebSocketException ex)
            {
                var status = socket.HttpStatusCode == 0 ? ex.WebSocketErrorCode.ToString() : "HTTP " + (int)socket.HttpStatusCode;
                var kind = socket.HttpStatusCode == HttpStatusCode.TooManyRequests ? ProviderErrorKind.RateLimited : ProviderErrorKind.Disconnected;
                return ConnectResult.Failed(new ProviderError(kind, "connect_failed", $"could not open {RealtimeUri.GetLeftPart(UriPartial.Path)} ({status})", Fatal: true));
            }

            // 1. session.created (or an error, e.g. invalid_api_key / beta_api_shape_disabled, then close).
            var created = await ReceiveHandshakeEventAsync(socket, buffer, timeout.Token).ConfigureAwait(false);
            if (created.Error is not null)
            {
                return ConnectResult.Failed(created.Error);
            }

            if (created.Event!.Type != ServerEventType.SessionCreated)
            {
                return ConnectResult.Failed(new ProviderError(ProviderErrorKind.InvalidRequest, "unexpected_event",
                    $"expected session.created first, got {created.Event.RawType ?? created.Event.Type.ToString()}", Fatal: true));
            }

            var expiresAt = RealtimeJson.ReadExpiresAt(created.Event.Session.Span);

            // 2. session.update, then wait for session.updated: the only confirmation of the effective config.
            var updateId = NextEventId("session.update");
            var update = JsonSerializer.SerializeToUtf8Bytes(new SessionUpdateEvent(updateId, RealtimeSessionSettings.Build(_options, Formats)), RealtimeJsonContext.Default.SessionUpdateEvent);
            await socket.SendAsync(update, WebSocketMessageType.Text, endOfMessage: true, timeout.Token).ConfigureAwait(false);
            string? sessionId = null;
            while (true)
            {
                var next = await ReceiveHandshakeEventAsync(socket, buffer, timeout.Token).ConfigureAwait(false);
                if (next.Error is not null)
                {
                    return ConnectResult.Failed(next.Error);
                }

                if (next.Event!.Type == ServerEventType.SessionUpdated)
                {
                    var check = CheckEffectiveSession(next.Event.Session.Span, out sessionId);
                    if (check is not null)
                    {
                        return ConnectResult.Failed(check);
                    }

                    expiresAt = RealtimeJson.ReadExpiresAt(next.Event.Session.Span) ?? expiresAt;
                    break;
                }
            }

            // 3. On a reconnect or a rollover, re-seed the conversation so far as text items (and, after a drop,
            // resume an answer it cut off). Never the greeting again.
            var (epoch, seed, resume) = _conversation.BeginConnection(attempt, rollover);

            foreach (var item in seed)
            {
                var bytes = JsonSerializer.SerializeToUtf8Bytes(new ConversationItemCreateEvent(NextEventId("conversation.item.create"), item), RealtimeJsonContext.Default.ConversationItemCreateEvent);
                await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, timeout.Token).ConfigureAwait(false);
            }

            if (resume)
            {
                var bytes = JsonSerializer.SerializeToUtf8Bytes(new ResponseCreateEvent(NextEventId("response.create"), null), RealtimeJsonContext.Default.ResponseCreateEvent);
                await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, timeout.Token).ConfigureAwait(false);
            }

            if (attempt > 0)
            {
                OpenAIRealtimeLog.Reconnected(_logger, _callId, attempt, seed.Count, sessionId);
            }

            handedOver = true;
            _connected = true;
            return new ConnectResult(new Connection(socket, buffer, epoch, sessionId, expiresAt, seed.Count), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_stopping.IsCancellationRequested)
        {
            return ConnectResult.Failed(new ProviderError(ProviderErrorKind.Disconnected, "connect_timeout",
                $"no session.updated within {_options.ConnectTimeoutMs} ms", Fatal: true));
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or JsonException)
        {
            return ConnectResult.Failed(new ProviderError(ProviderErrorKind.Disconnected, "handshake_failed", $"the session handshake failed: {ex.GetType().Name}", Fatal: true));
        }
        finally
        {
            if (!handedOver)
            {
                socket.Abort();
                socket.Dispose();
                buffer.Dispose();
            }
        }
    }

    private async Task<(RealtimeServerEvent? Event, ProviderError? Error)> ReceiveHandshakeEventAsync(ClientWebSocket socket, MessageBuffer buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var type = await buffer.ReceiveAsync(socket, cancellationToken).ConfigureAwait(false);
            if (type == WebSocketMessageType.Close)
            {
                var message = $"the server closed the connection during the handshake ({socket.CloseStatus} {socket.CloseStatusDescription})";
                var kind = socket.CloseStatus == WebSocketCloseStatus.PolicyViolation ? ProviderErrorKind.Authentication : ProviderErrorKind.Disconnected;
                return (null, new ProviderError(kind, "closed", message, Fatal: true));
            }

            if (type != WebSocketMessageType.Text)
            {
                continue;
            }

            var e = RealtimeServerEvent.Parse(buffer.Message);
            if (e.Type != ServerEventType.Error)
            {
                return (e, null);
            }

            var error = RealtimeErrors.Read(e, _apiKey);
            var providerError = RealtimeErrors.Classify(error) with { Fatal = true };
            if (providerError.Kind == ProviderErrorKind.Authentication)
            {
                OpenAIRealtimeLog.AuthenticationFailed(_logger, _callId, error.Code, error.Message);
            }

            return (null, providerError);
        }
    }

    private ProviderError? CheckEffectiveSession(ReadOnlySpan<byte> session, out string? sessionId)
    {
        sessionId = null;
        if (RealtimeSessionSettings.ReadEffective(session, Formats) is not { } effective)
        {
            return new ProviderError(ProviderErrorKind.InvalidRequest, "invalid_session", "session.updated carried no session object", Fatal: true);
        }

        sessionId = effective.SessionId;
        if (effective.MatchesDeclared)
        {
            return null;
        }

        var applied = $"{RealtimeSessionSettings.Describe(effective.Input)}/{RealtimeSessionSettings.Describe(effective.Output)}";
        var declared = $"{RealtimeSessionSettings.Describe(RealtimeSessionSettings.ToWire(Formats.Input))}/{RealtimeSessionSettings.Describe(RealtimeSessionSettings.ToWire(Formats.Output))}";
        OpenAIRealtimeLog.FormatMismatch(_logger, RealtimeSessionSettings.Describe(effective.Input), RealtimeSessionSettings.Describe(effective.Output), _callId, Formats.Input, Formats.Output);
        return new ProviderError(ProviderErrorKind.InvalidRequest, "format_mismatch", $"the server applied {applied}, not the declared {declared}", Fatal: true);
    }

    private async Task<Outcome> RunConnectionAsync(Connection connection)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        connection.Ending = cts;
        var send = SendLoopAsync(connection, cts.Token);
        var rollover = PlanRolloverAsync(connection, cts.Token);
        Outcome outcome;
        try
        {
            outcome = await ReceiveLoopAsync(connection, cts.Token).ConfigureAwait(false);
        }
        finally
        {
            await cts.CancelAsync().ConfigureAwait(false);
            await send.ConfigureAwait(false);
            await rollover.ConfigureAwait(false);
            if (connection.Successor is null)
            {
                _connected = false;
            }

            if (connection.Successor is not null || connection.CloseOurselves)
            {
                // A rollover or an expired session: we end it, with a close frame (the peer need not answer).
                await CloseQuietlyAsync(connection.Socket, _time).ConfigureAwait(false);
            }

            connection.Dispose();
        }

        if (connection.Successor is { } successor && outcome.Kind != OutcomeKind.Rollover)
        {
            // The old connection ended by itself just as its successor got ready: a dropped or expired session then
            // needs no reconnect; on a stop or a fatal error the successor goes too.
            if (outcome.Kind == OutcomeKind.Lost)
            {
                return Outcome.RolloverTo(successor);
            }

            successor.Dispose();
        }

        return outcome;
    }

    private static async Task CloseQuietlyAsync(ClientWebSocket socket, TimeProvider time)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1), time);
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "session rollover", timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>
    /// Plans the rollover to a fresh session before <c>session.expires_at</c>: from the margin before expiry it waits
    /// for a quiet moment (no answer in progress or pending, no agent audio left to play, caller silent), or forces it
    /// shortly before expiry. The new session is connected, configured and re-seeded while this one still carries the
    /// call; then this connection ends and the supervisor switches over. A failed attempt leaves the call on this
    /// session (its expiry then reconnects the usual way).
    /// </summary>
    private async Task PlanRolloverAsync(Connection connection, CancellationToken cancellationToken)
    {
        if (_options.SessionRolloverMarginMs <= 0 || connection.ExpiresAt is not { } expiresAt)
        {
            return;
        }

        var start = _time.GetTimestamp();
        var now = _time.GetUtcNow();
        var lifetime = expiresAt - now;
        if (lifetime <= TimeSpan.Zero)
        {
            return;
        }

        var schedule = RolloverSchedule.For(lifetime, TimeSpan.FromMilliseconds(_options.SessionRolloverMarginMs));
        OpenAIRealtimeLog.RolloverPlanned(_logger, _callId, expiresAt, now + schedule.PlannedAfter);
        try
        {
            var why = await schedule.WaitAsync(_time, start, () => _conversation.IsQuiet, cancellationToken).ConfigureAwait(false)
                ? "quiet moment"
                : "forced before expiry";
            var result = await ConnectAsync(attempt: 0, cancellationToken, rollover: true).ConfigureAwait(false);
            if (result.Connection is not { } next)
            {
                OpenAIRealtimeLog.RolloverFailed(_logger, _callId, result.Error?.Message ?? "unknown");
                return;
            }

            connection.Successor = next;
            OpenAIRealtimeLog.RolledOver(_logger, _callId, next.SessionId, why, next.SeededItems);
            await connection.Ending!.CancelAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The connection ended (or the session stopped) first.
        }
        catch (Exception ex)
        {
            // Defensive: a planned rollover is an optimisation; failing it must not end the call (expiry still reconnects).
            OpenAIRealtimeLog.RolloverFailed(_logger, _callId, ex.GetType().Name);
        }
    }

    private async Task<Outcome> ReceiveLoopAsync(Connection connection, CancellationToken cancellationToken)
    {
        var socket = connection.Socket;
        try
        {
            while (true)
            {
                var type = await connection.Buffer.ReceiveAsync(socket, cancellationToken).ConfigureAwait(false);
                if (type == WebSocketMessageType.Close)
                {
                    if (Volatile.Read(ref _stopRequested) != 0)
                    {
                        return Outcome.Stopped;
                    }

                    return Outcome.Lost(ProviderErrorKind.Disconnected, "server_closed",
                        $"the server closed the connection ({socket.CloseStatus} {socket.CloseStatusDescription})");
                }

                if (type != WebSocketMessageType.Text)
                {
                    OpenAIRealtimeLog.BadServerEvent(_logger, _callId, "binary message");
                    continue;
                }

                RealtimeServerEvent e;
                try
                {
                    e = RealtimeServerEvent.Parse(connection.Buffer.Message);
                }
                catch (JsonException ex)
                {
                    OpenAIRealtimeLog.BadServerEvent(_logger, _callId, ex.Message);
                    continue;
                }

                Outcome? outcome;
                try
                {
                    outcome = Handle(e, connection);
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException)
                {
                    // A well-formed event with an unexpected shape inside: skip it, never the session.
                    OpenAIRealtimeLog.BadServerEvent(_logger, _callId, $"{e.RawType ?? e.Type.ToString()}: {ex.GetType().Name}");
                    continue;
                }

                if (outcome is { Kind: OutcomeKind.Fatal })
                {
                    return outcome;
                }

                if (outcome is not null)
                {
                    // session_expired: the session is dead even if the socket is not. Stop sending into it, close it
                    // ourselves and reconnect now, rather than wait for the server to close it.
                    _connected = false;
                    connection.CloseOurselves = true;
                    return outcome;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Volatile.Read(ref _stopRequested) != 0 || _stopping.IsCancellationRequested
                ? Outcome.Stopped
                : connection.Successor is { } successor ? Outcome.RolloverTo(successor)
                : Outcome.Lost(ProviderErrorKind.Disconnected, "send_failed", "sending to the server failed");
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or InvalidDataException or OperationCanceledException or ObjectDisposedException)
        {
            // (An OperationCanceledException here without our token: the send loop aborted the socket.)
            if (Volatile.Read(ref _stopRequested) != 0)
            {
                return Outcome.Stopped;
            }

            return Outcome.Lost(ProviderErrorKind.Disconnected, "connection_lost",
                $"the connection dropped ({(ex as WebSocketException)?.WebSocketErrorCode.ToString() ?? ex.GetType().Name})");
        }
    }

    private async Task SendLoopAsync(Connection connection, CancellationToken cancellationToken)
    {
        var socket = connection.Socket;
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using var json = new Utf8JsonWriter(buffer);
        try
        {
            while (await _outgoing.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (_outgoing.TryRead(out var message))
                {
                    var sent = false;
                    try
                    {
                        if (message.Epoch != 0 && message.Epoch != connection.Epoch)
                        {
                            continue; // a truncate/cancel for an item of a replaced connection
                        }

                        if (message.Kind == OutgoingKind.Audio)
                        {
                            buffer.ResetWrittenCount();
                            json.Reset(buffer);
                            RealtimeJson.WriteAppend(json, message.Buffer.AsSpan(0, message.Length));
                            await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                            sent = true;
                        }
                        else
                        {
                            await socket.SendAsync(message.Buffer.AsMemory(0, message.Length), WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        if (message.Kind == OutgoingKind.Audio)
                        {
                            if (!sent)
                            {
                                // In flight when the connection ended (a drop, or a rollover switching sockets).
                                Interlocked.Increment(ref _audioChunksDropped);
                            }

                            ArrayPool<byte>.Shared.Return(message.Buffer);
                        }
                    }
                }
            }

            // The queue was completed by StopAsync: everything queued is sent; close cleanly.
            using var closeDeadline = new CancellationTokenSource(s_closeTimeout, _time);
            using var closeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, closeDeadline.Token);
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "call ended", closeTimeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The receive loop sees the same broken socket and decides what happens next.
            socket.Abort();
        }
    }

    private enum OutcomeKind
    {
        Stopped,
        Lost,
        Fatal,
        Rollover,
    }

    private sealed record Outcome(OutcomeKind Kind, ProviderError? Error, Connection? Successor = null)
    {
        public static readonly Outcome Stopped = new(OutcomeKind.Stopped, null);

        public static Outcome RolloverTo(Connection successor) => new(OutcomeKind.Rollover, null, successor);

        public static Outcome Lost(ProviderErrorKind kind, string code, string message) =>
            new(OutcomeKind.Lost, new ProviderError(kind, code, message, Fatal: false));

        public static Outcome FatalError(ProviderError error) => new(OutcomeKind.Fatal, error);
    }

    private sealed record ConnectResult(Connection? Connection, ProviderError? Error)
    {
        public static ConnectResult Failed(ProviderError error) => new(null, error);
    }

    /// <summary>One WebSocket and its receive buffer.</summary>
    private sealed class Connection(ClientWebSocket socket, MessageBuffer buffer, int epoch, string? sessionId, DateTimeOffset? expiresAt, int seededItems) : IDisposable
    {
        /// <summary><c>session.expires_at</c> of this session, if the server stated it.</summary>
        public DateTimeOffset? ExpiresAt { get; } = expiresAt;

        /// <summary>Conversation items re-seeded into this session.</summary>
        public int SeededItems { get; } = seededItems;

        /// <summary>Cancelling it ends this connection's loops (a rollover does, once <see cref="Successor"/> is ready).</summary>
        public CancellationTokenSource? Ending { get; set; }

        /// <summary>The session that replaces this one (planned rollover), once it is connected and configured.</summary>
        public Connection? Successor { get; set; }

        /// <summary>We close this socket ourselves (an expired session) instead of waiting for the server.</summary>
        public bool CloseOurselves { get; set; }

        public ClientWebSocket Socket { get; } = socket;

        public MessageBuffer Buffer { get; } = buffer;

        public int Epoch { get; } = epoch;

        public string? SessionId { get; } = sessionId;

        public void Dispose()
        {
            Socket.Abort();
            Socket.Dispose();
            Buffer.Dispose();
        }
    }

    /// <summary>A pooled, growing buffer that assembles one WebSocket message from its frames.</summary>
    private sealed class MessageBuffer : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        private int _length;

        public ReadOnlyMemory<byte> Message => _buffer.AsMemory(0, _length);

        public async ValueTask<WebSocketMessageType> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
        {
            _length = 0;
            while (true)
            {
                if (_length == _buffer.Length)
                {
                    if (_buffer.Length >= MaxMessageBytes)
                    {
                        throw new InvalidDataException($"a server message exceeded {MaxMessageBytes} bytes");
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                    _buffer.AsSpan(0, _length).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = bigger;
                }

                var result = await socket.ReceiveAsync(_buffer.AsMemory(_length), cancellationToken).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return WebSocketMessageType.Close;
                }

                _length += result.Count;
                if (result.EndOfMessage)
                {
                    return result.MessageType;
                }
            }
        }

        public void Dispose()
        {
            var buffer = Interlocked.Exchange(ref _buffer, []);
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }
}
