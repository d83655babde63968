using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using AiAgent.Grains.Interfaces.Audio;
using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// One call's OpenAI Realtime session (GA protocol, PROTOCOLS.md 2). Caller audio goes out as
/// <c>input_audio_buffer.append</c> only (server VAD decides turns; no manual commit), agent audio comes back as
/// <c>response.output_audio.delta</c> in the declared output format, and everything the grain needs arrives on
/// <see cref="Events"/>.
/// </summary>
/// <remarks>
/// <para>Threads: one receive loop and one send loop per WebSocket, both off the grain scheduler. The send loop is
/// the socket's only writer (it drains <see cref="_outgoing"/>); the handshake writes only before the send loop
/// starts. Conversation state touched by both the receive loop and the grain's calls is guarded by
/// <see cref="_gate"/>; the handler never awaits while holding it.</para>
/// <para>Faults: a dropped socket or <c>session_expired</c> reconnects (bounded, with backoff), re-seeding the
/// conversation so far as text items (user <c>input_text</c>, assistant <c>output_text</c>: the API cannot create
/// assistant audio items); an invalid key (HTTP 401 at the upgrade, or <c>error</c> then close) ends the session
/// with a hang-up; rate limits are reported and the call goes on.</para>
/// </remarks>
public sealed class OpenAIRealtimeSession : IAgentSession
{
    private const int MaxMessageBytes = 16 * 1024 * 1024;
    private const int MaxHistoryItems = 40;
    private const int MaxHistoryChars = 16_000;
    private const int MaxTrackedUtterances = 32;
    private const int MaxQueuedAudioSeconds = 5;
    private static readonly TimeSpan s_keepAlive = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(3);
    private static readonly System.Text.RegularExpressions.Regex s_keyPattern = new(@"\b(sk|ek|rk)-[A-Za-z0-9_*\-.]{2,}", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
    private static readonly string[] s_authCodes = ["invalid_api_key", "invalid_authentication", "unauthorized", "authentication_error", "invalid_auth"];

    private readonly OpenAIRealtimeOptions _options;
    private readonly string? _apiKey;
    private readonly Guid _callId;
    private readonly ILogger _logger;
    private readonly Channel<ProviderEvent> _events = Channel.CreateUnbounded<ProviderEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();

    // Conversation state (under _gate).
    private readonly Dictionary<string, AssistantItem> _itemsById = new(StringComparer.Ordinal);
    private readonly Dictionary<int, AssistantItem> _itemsByUtterance = [];
    private readonly Dictionary<string, StringBuilder> _userTranscripts = new(StringComparer.Ordinal);
    private readonly List<HistoryEntry> _history = [];
    private readonly Dictionary<string, string> _sentEventTypes = new(StringComparer.Ordinal);
    private readonly Queue<string> _sentEventOrder = new();
    private int _epoch;
    private int _nextUtteranceId;
    private string? _activeResponseId;
    private bool _responseRequested;
    private bool _responsePending;
    private bool _resumeAfterReconnect;
    private OpenAIRealtimeSessionStats _stats = new();

    private long _eventCounter;
    private long _queuedAudioBytes;

    // Per-chunk counters stay out of the lock and the stats record: no allocation or lock on the audio path.
    private long _audioChunksSent;
    private long _audioBytesSent;
    private long _audioChunksDropped;
    private long _agentAudioBytes;
    private int _backlogWarned;
    private volatile bool _connected;
    private int _started;
    private int _stopRequested;
    private int _ended;
    private Task _supervisor = Task.CompletedTask;

    internal OpenAIRealtimeSession(OpenAIRealtimeOptions options, string? apiKey, AgentSessionContext context, ILogger logger)
    {
        _options = options;
        _apiKey = apiKey;
        _callId = context.CallId;
        _logger = logger;
        Formats = options.ResolveFormats(context.CallFormat);
        RealtimeUri = options.BuildRealtimeUri();
    }

    /// <inheritdoc/>
    public string ProviderName => OpenAIRealtimeOptions.Name;

    /// <inheritdoc/>
    public ProviderAudioFormats Formats { get; }

    /// <inheritdoc/>
    public ChannelReader<ProviderEvent> Events => _events.Reader;

    /// <summary>The WebSocket URL (<c>{base_url}/realtime?model=…</c>).</summary>
    public Uri RealtimeUri { get; }

    /// <summary>The session's counters so far.</summary>
    public OpenAIRealtimeSessionStats Stats
    {
        get
        {
            lock (_gate)
            {
                return _stats with
                {
                    AudioChunksSent = Interlocked.Read(ref _audioChunksSent),
                    AudioBytesSent = Interlocked.Read(ref _audioBytesSent),
                    AudioChunksDropped = Interlocked.Read(ref _audioChunksDropped),
                    AgentAudioBytes = Interlocked.Read(ref _agentAudioBytes),
                };
            }
        }
    }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("the session was already started");
        }

        if (string.IsNullOrEmpty(_apiKey))
        {
            var message = $"environment variable {_options.ApiKeyEnv} is not set";
            Fail(new ProviderError(ProviderErrorKind.Authentication, "missing_api_key", message, Fatal: true), message);
            throw new OpenAIRealtimeException(ProviderErrorKind.Authentication, "missing_api_key", message);
        }

        var result = await ConnectAsync(attempt: 0, cancellationToken).ConfigureAwait(false);
        if (result.Connection is not { } connection)
        {
            var error = result.Error!;
            Fail(error, error.Message);
            throw new OpenAIRealtimeException(error.Kind, error.Code, error.Message);
        }

        Publish(new SessionStarted(connection.SessionId));
        OpenAIRealtimeLog.SessionStarted(_logger, _callId, _options.Model, Formats.Input, Formats.Output, connection.SessionId);
        if (_options.Greeting.Length > 0)
        {
            lock (_gate)
            {
                _responseRequested = true;
            }

            EnqueueJson(new ResponseCreateEvent(NextEventId("response.create"), new ResponseCreateParams(_options.Greeting)), RealtimeJsonContext.Default.ResponseCreateEvent, epoch: 0);
        }

        _supervisor = Task.Run(() => SuperviseAsync(connection), CancellationToken.None);
    }

    /// <inheritdoc/>
    public ValueTask SendAudioAsync(ReadOnlyMemory<byte> audio, CancellationToken cancellationToken)
    {
        if (audio.IsEmpty || Volatile.Read(ref _stopRequested) != 0)
        {
            return ValueTask.CompletedTask;
        }

        // Stale caller audio is worse than none: while reconnecting, or when the socket cannot keep up, drop it.
        var queued = Interlocked.Read(ref _queuedAudioBytes);
        if (!_connected || queued > (long)Formats.Input.BytesPerSecond * MaxQueuedAudioSeconds)
        {
            Interlocked.Increment(ref _audioChunksDropped);
            if (_connected && Interlocked.Exchange(ref _backlogWarned, 1) == 0)
            {
                OpenAIRealtimeLog.AudioBacklog(_logger, _callId, Formats.Input.MillisecondsOf(queued));
            }

            return ValueTask.CompletedTask;
        }

        Volatile.Write(ref _backlogWarned, 0);
        var buffer = ArrayPool<byte>.Shared.Rent(audio.Length);
        audio.Span.CopyTo(buffer);
        Interlocked.Add(ref _queuedAudioBytes, audio.Length);
        if (!_outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.Audio, buffer, audio.Length, 0)))
        {
            Interlocked.Add(ref _queuedAudioBytes, -audio.Length);
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask SendDtmfAsync(char digit, CancellationToken cancellationToken)
    {
        if (!(char.IsAsciiDigit(digit) || digit is '*' or '#' or 'A' or 'B' or 'C' or 'D'))
        {
            throw new ArgumentOutOfRangeException(nameof(digit), digit, "a DTMF digit is 0-9, *, #, A-D");
        }

        var text = $"The caller pressed the phone key '{digit}'.";
        bool createNow;
        lock (_gate)
        {
            AddHistory(new HistoryEntry("user", text));
            // A response.create while one is active is an API error: answer after the current response instead.
            createNow = _activeResponseId is null && !_responseRequested;
            if (createNow)
            {
                _responseRequested = true;
            }
            else
            {
                _responsePending = true;
            }
        }

        var item = new RealtimeMessageItem("user", [new RealtimeContentPart("input_text", text)]);
        EnqueueJson(new ConversationItemCreateEvent(NextEventId("conversation.item.create"), item), RealtimeJsonContext.Default.ConversationItemCreateEvent, epoch: 0);
        if (createNow)
        {
            EnqueueJson(new ResponseCreateEvent(NextEventId("response.create"), null), RealtimeJsonContext.Default.ResponseCreateEvent, epoch: 0);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask NotifyPlayoutInterruptedAsync(int utteranceId, long playedMilliseconds, CancellationToken cancellationToken)
    {
        string itemId;
        string? cancelResponseId;
        long audioEndMs;
        long receivedMs;
        int epoch;
        lock (_gate)
        {
            if (!_itemsByUtterance.TryGetValue(utteranceId, out var item) || item.Interrupted)
            {
                return ValueTask.CompletedTask;
            }

            item.Interrupted = true;
            receivedMs = Formats.Output.MillisecondsOf(item.ReceivedBytes);
            audioEndMs = Math.Clamp(playedMilliseconds, 0, receivedMs);
            item.HeardRatio = receivedMs == 0 ? 0 : (double)audioEndMs / receivedMs;
            if (item.Epoch != _epoch)
            {
                // The item lived on a connection that has since been replaced: the new session does not know it.
                return ValueTask.CompletedTask;
            }

            itemId = item.ItemId;
            epoch = item.Epoch;
            cancelResponseId = item.ResponseId is not null && item.ResponseId == _activeResponseId ? item.ResponseId : null;
            _stats = _stats with { Truncations = _stats.Truncations + 1 };
        }

        OpenAIRealtimeLog.Truncating(_logger, _callId, itemId, audioEndMs, playedMilliseconds, receivedMs, cancelResponseId is not null);
        if (cancelResponseId is not null)
        {
            // interrupt_response is false (see BuildSessionConfig), so the server never cancels on its own: we do.
            EnqueueJson(new ResponseCancelEvent(NextEventId("response.cancel"), cancelResponseId), RealtimeJsonContext.Default.ResponseCancelEvent, epoch);
        }

        EnqueueJson(new ConversationItemTruncateEvent(NextEventId("conversation.item.truncate"), itemId, 0, audioEndMs), RealtimeJsonContext.Default.ConversationItemTruncateEvent, epoch);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopRequested, 1) != 0)
        {
            await _supervisor.ConfigureAwait(false);
            return;
        }

        // Completing the queue makes the send loop send a close frame after what is queued; the receive loop then
        // sees the server's close. If that takes too long (or there is no connection: reconnecting), cancel and abort.
        _outgoing.Writer.TryComplete();
        if (!_connected)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await _supervisor.WaitAsync(s_closeTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            await _supervisor.ConfigureAwait(false);
        }

        OpenAIRealtimeLog.SessionClosed(_logger, _callId, "stopped");
        End("stopped", hangUp: false);
        DrainOutgoing();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _started) != 0)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            End("disposed", hangUp: false);
        }

        _stopping.Dispose();
    }

    /// <summary>The session object <c>session.update</c> carries for these options and formats.</summary>
    internal static RealtimeSessionConfig BuildSessionConfig(OpenAIRealtimeOptions options, ProviderAudioFormats formats)
    {
        var td = options.TurnDetection;
        // interrupt_response=false: the server must not cancel the agent on its own when it hears speech, because
        // during the greeting-protection window and the echo guard that speech is line echo. The grain decides what
        // is a real barge-in and then this session sends response.cancel + conversation.item.truncate itself.
        var turnDetection = td.Type == "semantic_vad"
            ? new RealtimeTurnDetectionConfig("semantic_vad", null, null, null, td.Eagerness, CreateResponse: true, InterruptResponse: false)
            : new RealtimeTurnDetectionConfig("server_vad", td.Threshold, td.PrefixPaddingMs, td.SilenceDurationMs, null, CreateResponse: true, InterruptResponse: false);
        var transcription = options.TranscriptionModel.Length > 0 ? new RealtimeTranscriptionConfig(options.TranscriptionModel) : null;
        return new RealtimeSessionConfig(
            options.Instructions,
            ["audio"],
            new RealtimeAudioConfig(
                new RealtimeAudioInputConfig(ToWire(formats.Input), transcription, turnDetection),
                new RealtimeAudioOutputConfig(ToWire(formats.Output), options.Voice)));
    }

    /// <summary>The GA format object of an audio format.</summary>
    internal static RealtimeAudioFormat ToWire(AudioFormat format) => format.Encoding switch
    {
        AudioEncoding.Mulaw => new RealtimeAudioFormat("audio/pcmu", null),
        AudioEncoding.Alaw => new RealtimeAudioFormat("audio/pcma", null),
        _ => new RealtimeAudioFormat("audio/pcm", format.SampleRate),
    };

    // ---------------------------------------------------------------- connection management

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

            // Dropped or expired: report it (not fatal: we reconnect), close any utterance in flight, then reconnect.
            Publish(outcome.Error!);
            OnConnectionLost();
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
                        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(4_000, 125 << Math.Min(attempt - 1, 5))), _stopping.Token).ConfigureAwait(false);
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

            lock (_gate)
            {
                _stats = _stats with { Reconnects = _stats.Reconnects + 1 };
            }

            Publish(new ProviderReconnected(attempt));
            connection = next;
        }
    }

    private async Task<ConnectResult> ConnectAsync(int attempt, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + _apiKey);
        // Keepalive is WebSocket ping frames (the API rejects unknown JSON events such as a "ping"); with a timeout
        // set, a peer that stops answering pongs aborts the socket and the receive loop reconnects.
        socket.Options.KeepAliveInterval = s_keepAlive;
        socket.Options.KeepAliveTimeout = s_keepAlive;
        socket.Options.CollectHttpResponseDetails = true;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        timeout.CancelAfter(_options.ConnectTimeoutMs);
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

            // 2. session.update, then wait for session.updated: the only confirmation of the effective config.
            var updateId = NextEventId("session.update");
            var update = JsonSerializer.SerializeToUtf8Bytes(new SessionUpdateEvent(updateId, BuildSessionConfig(_options, Formats)), RealtimeJsonContext.Default.SessionUpdateEvent);
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

                    break;
                }
            }

            // 3. On a reconnect, re-seed the conversation so far as text items (and resume an answer cut off by the drop).
            int epoch;
            List<RealtimeMessageItem> seed;
            bool resume;
            lock (_gate)
            {
                epoch = ++_epoch;
                seed = attempt == 0 ? [] : BuildSeed();
                resume = attempt > 0 && _resumeAfterReconnect;
                _resumeAfterReconnect = false;
                _responseRequested |= resume;
            }

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
            return new ConnectResult(new Connection(socket, buffer, epoch, sessionId), null);
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

            var error = ReadError(e);
            var providerError = ClassifyError(error) with { Fatal = true };
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
        if (session.IsEmpty)
        {
            return new ProviderError(ProviderErrorKind.InvalidRequest, "invalid_session", "session.updated carried no session object", Fatal: true);
        }

        using var doc = JsonDocument.Parse(session.ToArray());
        var root = doc.RootElement;
        sessionId = root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
        var input = FormatOf(root, "input");
        var output = FormatOf(root, "output");
        var expectedInput = ToWire(Formats.Input);
        var expectedOutput = ToWire(Formats.Output);
        if (input == expectedInput && output == expectedOutput)
        {
            return null;
        }

        OpenAIRealtimeLog.FormatMismatch(_logger, Describe(input), Describe(output), _callId, Formats.Input, Formats.Output);
        return new ProviderError(ProviderErrorKind.InvalidRequest, "format_mismatch",
            $"the server applied {Describe(input)}/{Describe(output)}, not the declared {Describe(expectedInput)}/{Describe(expectedOutput)}", Fatal: true);

        static RealtimeAudioFormat? FormatOf(JsonElement root, string direction)
        {
            if (root.TryGetProperty("audio", out var audio) && audio.ValueKind == JsonValueKind.Object &&
                audio.TryGetProperty(direction, out var dir) && dir.ValueKind == JsonValueKind.Object &&
                dir.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.Object &&
                format.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String)
            {
                var rate = type.GetString() == "audio/pcm" && format.TryGetProperty("rate", out var r) && r.TryGetInt32(out var v) ? v : (int?)null;
                return new RealtimeAudioFormat(type.GetString()!, rate);
            }

            return null;
        }

        static string Describe(RealtimeAudioFormat? f) => f is null ? "(none)" : f.Rate is { } r ? $"{f.Type}@{r}" : f.Type;
    }

    private async Task<Outcome> RunConnectionAsync(Connection connection)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var send = SendLoopAsync(connection, cts.Token);
        Outcome outcome;
        try
        {
            outcome = await ReceiveLoopAsync(connection, cts.Token).ConfigureAwait(false);
        }
        finally
        {
            _connected = false;
            await cts.CancelAsync().ConfigureAwait(false);
            await send.ConfigureAwait(false);
            connection.Dispose();
        }

        return outcome;
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

                    if (connection.PendingOutcome is { } pending)
                    {
                        return pending;
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
                    // session_expired: the server closes next; remember why, and reconnect when it does.
                    connection.PendingOutcome = outcome;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return Volatile.Read(ref _stopRequested) != 0 || _stopping.IsCancellationRequested
                ? Outcome.Stopped
                : connection.PendingOutcome ?? Outcome.Lost(ProviderErrorKind.Disconnected, "send_failed", "sending to the server failed");
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or InvalidDataException or OperationCanceledException or ObjectDisposedException)
        {
            // (An OperationCanceledException here without our token: the send loop aborted the socket.)
            if (Volatile.Read(ref _stopRequested) != 0)
            {
                return Outcome.Stopped;
            }

            return connection.PendingOutcome ?? Outcome.Lost(ProviderErrorKind.Disconnected, "connection_lost",
                $"the connection dropped ({(ex as WebSocketException)?.WebSocketErrorCode.ToString() ?? ex.GetType().Name})");
        }
    }

    private async Task SendLoopAsync(Connection connection, CancellationToken cancellationToken)
    {
        var socket = connection.Socket;
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        using var json = new Utf8JsonWriter(buffer);
        var reader = _outgoing.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (reader.TryRead(out var message))
                {
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
                            WriteAppend(json, message.Buffer.AsSpan(0, message.Length));
                            await socket.SendAsync(buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
                            CountAudioSent(message.Length);
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
                            Interlocked.Add(ref _queuedAudioBytes, -message.Length);
                            ArrayPool<byte>.Shared.Return(message.Buffer);
                        }
                    }
                }
            }

            // The queue was completed by StopAsync: everything queued is sent; close cleanly.
            using var closeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            closeTimeout.CancelAfter(s_closeTimeout);
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

    /// <summary>Writes <c>{"type":"input_audio_buffer.append","audio":"&lt;base64&gt;"}</c> (no event_id: appends are never acknowledged).</summary>
    internal static void WriteAppend(Utf8JsonWriter json, ReadOnlySpan<byte> audio)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "input_audio_buffer.append"u8);
        json.WriteBase64String("audio"u8, audio);
        json.WriteEndObject();
        json.Flush();
    }

    // ---------------------------------------------------------------- server events

    /// <summary>Handles one server event; returns an outcome when the connection must end (or will be closed by the server).</summary>
    private Outcome? Handle(RealtimeServerEvent e, Connection connection)
    {
        switch (e.Type)
        {
            case ServerEventType.SpeechStarted:
                Publish(new UserSpeechStarted());
                break;
            case ServerEventType.SpeechStopped:
                Publish(new UserSpeechStopped());
                break;
            case ServerEventType.BufferCommitted when e.ItemId is not null:
                lock (_gate)
                {
                    AddHistory(new HistoryEntry("user", string.Empty) { ItemId = e.ItemId });
                }

                break;
            case ServerEventType.TranscriptionDelta when e.ItemId is not null:
                string partial;
                lock (_gate)
                {
                    if (!_userTranscripts.TryGetValue(e.ItemId, out var sb))
                    {
                        _userTranscripts[e.ItemId] = sb = new StringBuilder();
                    }

                    partial = sb.Append(e.DeltaText()).ToString();
                }

                Publish(new UserTranscript(partial, IsFinal: false));
                break;
            case ServerEventType.TranscriptionCompleted:
                var transcript = e.Transcript ?? string.Empty;
                lock (_gate)
                {
                    if (e.ItemId is not null)
                    {
                        _userTranscripts.Remove(e.ItemId);
                        var entry = _history.FindLast(h => h.ItemId == e.ItemId);
                        if (entry is not null)
                        {
                            entry.Text = transcript;
                        }
                    }
                }

                Publish(new UserTranscript(transcript, IsFinal: true));
                break;
            case ServerEventType.TranscriptionFailed:
                var failure = ReadError(e);
                Publish(new ProviderError(ProviderErrorKind.Other, failure.Code, "input transcription failed: " + failure.Message, Fatal: false));
                break;
            case ServerEventType.ResponseCreated:
                lock (_gate)
                {
                    _activeResponseId = ReadId(e.Response.Span);
                    _responseRequested = false;
                }

                break;
            case ServerEventType.OutputItemAdded:
                OnOutputItemAdded(e, connection);
                break;
            case ServerEventType.AudioDelta:
                OnAudioDelta(e, connection);
                break;
            case ServerEventType.AudioTranscriptDelta when e.ItemId is not null:
                string agentPartial;
                lock (_gate)
                {
                    agentPartial = GetOrAddItem(e.ItemId, e.ResponseId, connection).Transcript.Append(e.DeltaText()).ToString();
                }

                Publish(new AgentTranscript(agentPartial, IsFinal: false));
                break;
            case ServerEventType.AudioTranscriptDone when e.ItemId is not null:
                lock (_gate)
                {
                    var item = GetOrAddItem(e.ItemId, e.ResponseId, connection);
                    item.Transcript.Clear().Append(e.Transcript);
                }

                Publish(new AgentTranscript(e.Transcript ?? string.Empty, IsFinal: true));
                break;
            case ServerEventType.AudioDone when e.ItemId is not null:
                int? done;
                lock (_gate)
                {
                    done = MarkAudioDone(GetOrAddItem(e.ItemId, e.ResponseId, connection));
                }

                if (done is { } utteranceId)
                {
                    Publish(new AgentAudioDone(utteranceId));
                }

                break;
            case ServerEventType.ResponseDone:
                OnResponseDone(e);
                break;
            case ServerEventType.RateLimitsUpdated:
                OnRateLimits(e.RateLimits.Span);
                break;
            case ServerEventType.ItemTruncated:
                lock (_gate)
                {
                    _stats = _stats with { TruncationsConfirmed = _stats.TruncationsConfirmed + 1 };
                }

                OpenAIRealtimeLog.Truncated(_logger, e.ItemId, e.AudioEndMs, _callId);
                break;
            case ServerEventType.Error:
                return OnError(e);
        }

        return null;
    }

    private void OnOutputItemAdded(RealtimeServerEvent e, Connection connection)
    {
        if (e.Item.IsEmpty)
        {
            return;
        }

        using var doc = JsonDocument.Parse(e.Item);
        var item = doc.RootElement;
        if (item.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String &&
            item.TryGetProperty("role", out var role) && role.ValueEquals("assistant"u8))
        {
            lock (_gate)
            {
                GetOrAddItem(id.GetString()!, e.ResponseId, connection);
            }
        }
    }

    private void OnAudioDelta(RealtimeServerEvent e, Connection connection)
    {
        if (e.ItemId is null)
        {
            return;
        }

        int utteranceId;
        lock (_gate)
        {
            var item = GetOrAddItem(e.ItemId, e.ResponseId, connection);
            if (item.Interrupted || item.AudioDone)
            {
                return; // the caller barged in: the rest of this utterance is not played
            }

            utteranceId = item.UtteranceId;
        }

        var audio = e.DecodeAudioDelta();
        if (audio is null)
        {
            OpenAIRealtimeLog.BadServerEvent(_logger, _callId, "audio delta is not valid base64");
            return;
        }

        lock (_gate)
        {
            if (_itemsById.TryGetValue(e.ItemId, out var item))
            {
                item.ReceivedBytes += audio.Length;
            }
        }

        Interlocked.Add(ref _agentAudioBytes, audio.Length);

        Publish(new AgentAudio(audio, Formats.Output, utteranceId));
    }

    private void OnResponseDone(RealtimeServerEvent e)
    {
        string? responseId = null;
        var status = "unknown";
        string? errorCode = null;
        string? errorMessage = null;
        int input = 0, cached = 0, output = 0;
        if (!e.Response.IsEmpty)
        {
            using var doc = JsonDocument.Parse(e.Response);
            var r = doc.RootElement;
            responseId = r.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            status = r.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : status;
            if (r.TryGetProperty("status_details", out var details) && details.ValueKind == JsonValueKind.Object &&
                details.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Object)
            {
                errorCode = err.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                errorMessage = err.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                errorCode ??= err.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            }

            if (r.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                input = GetInt(usage, "input_tokens");
                output = GetInt(usage, "output_tokens");
                if (usage.TryGetProperty("input_token_details", out var inputDetails) && inputDetails.ValueKind == JsonValueKind.Object)
                {
                    cached = GetInt(inputDetails, "cached_tokens");
                }
            }
        }

        var doneUtterances = new List<int>();
        bool createPending;
        lock (_gate)
        {
            foreach (var item in _itemsByUtterance.Values)
            {
                if (item.ResponseId is not null && item.ResponseId == responseId && MarkAudioDone(item) is { } u)
                {
                    doneUtterances.Add(u);
                }
            }

            if (_activeResponseId == responseId || responseId is null)
            {
                _activeResponseId = null;
            }

            createPending = _responsePending && _activeResponseId is null;
            if (createPending)
            {
                _responsePending = false;
                _responseRequested = true;
            }

            var rateLimited = status == "failed" && IsRateLimit(errorCode, null);
            _stats = _stats with
            {
                Responses = _stats.Responses + 1,
                ResponsesCancelled = _stats.ResponsesCancelled + (status == "cancelled" ? 1 : 0),
                InputTokens = _stats.InputTokens + input,
                CachedInputTokens = _stats.CachedInputTokens + cached,
                OutputTokens = _stats.OutputTokens + output,
                RateLimitErrors = _stats.RateLimitErrors + (rateLimited ? 1 : 0),
            };
        }

        foreach (var u in doneUtterances)
        {
            Publish(new AgentAudioDone(u));
        }

        OpenAIRealtimeLog.ResponseDone(_logger, responseId ?? "?", _callId, status, input, cached, output);
        Publish(new ProviderUsage(input, cached, output, status));
        if (status == "failed")
        {
            var code = errorCode ?? "response_failed";
            var kind = IsRateLimit(code, null) ? ProviderErrorKind.RateLimited : ProviderErrorKind.Server;
            Publish(new ProviderError(kind, code, errorMessage ?? "the response failed", Fatal: false));
        }

        if (createPending)
        {
            EnqueueJson(new ResponseCreateEvent(NextEventId("response.create"), null), RealtimeJsonContext.Default.ResponseCreateEvent, epoch: 0);
        }
    }

    private void OnRateLimits(ReadOnlySpan<byte> rateLimits)
    {
        if (rateLimits.IsEmpty)
        {
            return;
        }

        using var doc = JsonDocument.Parse(rateLimits.ToArray());
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        long? requests = null, tokens = null;
        foreach (var limit in doc.RootElement.EnumerateArray())
        {
            if (limit.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var name = limit.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : "?";
            var remaining = GetLong(limit, "remaining");
            var max = GetLong(limit, "limit");
            var reset = limit.TryGetProperty("reset_seconds", out var rs) && rs.TryGetDouble(out var d) ? d : 0;
            OpenAIRealtimeLog.RateLimit(_logger, _callId, name, remaining, max, reset);
            if (name == "requests")
            {
                requests = remaining;
            }
            else if (name == "tokens")
            {
                tokens = remaining;
            }
        }

        lock (_gate)
        {
            _stats = _stats with { RemainingRequests = requests ?? _stats.RemainingRequests, RemainingTokens = tokens ?? _stats.RemainingTokens };
        }
    }

    private Outcome? OnError(RealtimeServerEvent e)
    {
        var error = ReadError(e);
        string clientEventType;
        lock (_gate)
        {
            clientEventType = error.EventId is not null && _sentEventTypes.TryGetValue(error.EventId, out var t) ? t : "(unknown client event)";
            _stats = _stats with { Errors = _stats.Errors + 1, RateLimitErrors = _stats.RateLimitErrors + (IsRateLimit(error.Code, error.Type) ? 1 : 0) };
            if (clientEventType == "response.create" || IsRateLimit(error.Code, error.Type))
            {
                // The response we asked for was refused: nothing is coming, so DTMF must not wait for it.
                _responseRequested = false;
            }

            if (error.Code == "conversation_already_has_active_response")
            {
                // A server-VAD response started between our check and our response.create: answer after it.
                _responsePending = true;
                _responseRequested = false;
            }
        }

        if (error.Code is "response_cancel_not_active" or "conversation_already_has_active_response")
        {
            // Benign races: the response ended (or started) while our event was in flight.
            OpenAIRealtimeLog.BenignError(_logger, _callId, error.Code);
            return null;
        }

        OpenAIRealtimeLog.ServerError(_logger, _callId, error.Type, error.Code, clientEventType, error.EventId, error.Param, error.Message);
        var providerError = ClassifyError(error);
        var message = error.EventId is null ? providerError.Message : $"{providerError.Message} (on {clientEventType} {error.EventId})";
        providerError = providerError with { Message = message };
        return providerError.Kind switch
        {
            ProviderErrorKind.Authentication => Outcome.FatalError(providerError with { Fatal = true }),
            ProviderErrorKind.SessionExpired => Outcome.Lost(ProviderErrorKind.SessionExpired, providerError.Code, providerError.Message),
            _ => PublishAndContinue(providerError),
        };

        Outcome? PublishAndContinue(ProviderError pe)
        {
            Publish(pe);
            return null;
        }
    }

    private ServerError ReadError(RealtimeServerEvent e)
    {
        if (e.Error.IsEmpty)
        {
            return new ServerError("server_error", "unknown", "the server reported an error without details", null, null);
        }

        using var doc = JsonDocument.Parse(e.Error);
        var err = doc.RootElement;
        return new ServerError(
            GetString(err, "type") ?? "server_error",
            GetString(err, "code") ?? GetString(err, "type") ?? "unknown",
            Redact(GetString(err, "message") ?? string.Empty),
            GetString(err, "param"),
            GetString(err, "event_id"));
    }

    /// <summary>
    /// Server messages can quote the key (the real API echoes a masked form, "Incorrect API key provided: sk-ab***yz"):
    /// strip the key and anything shaped like one before a message reaches a log line or an event.
    /// </summary>
    private string Redact(string message)
    {
        if (!string.IsNullOrEmpty(_apiKey))
        {
            message = message.Replace(_apiKey, "[redacted]", StringComparison.Ordinal);
        }

        return s_keyPattern.Replace(message, "[redacted]");
    }

    private static ProviderError ClassifyError(ServerError error)
    {
        var kind = error switch
        {
            _ when s_authCodes.Contains(error.Code) || error.Type == "authentication_error" => ProviderErrorKind.Authentication,
            _ when error.Code == "session_expired" => ProviderErrorKind.SessionExpired,
            _ when IsRateLimit(error.Code, error.Type) => ProviderErrorKind.RateLimited,
            _ when error.Type == "server_error" => ProviderErrorKind.Server,
            _ => ProviderErrorKind.InvalidRequest,
        };
        return new ProviderError(kind, error.Code, error.Message, Fatal: false);
    }

    private static bool IsRateLimit(string? code, string? type) =>
        code is "rate_limit_exceeded" or "insufficient_quota" || type is "rate_limit_error";

    // ---------------------------------------------------------------- conversation state (callers hold _gate)

    private AssistantItem GetOrAddItem(string itemId, string? responseId, Connection connection)
    {
        if (_itemsById.TryGetValue(itemId, out var item))
        {
            item.ResponseId ??= responseId;
            return item;
        }

        item = new AssistantItem(++_nextUtteranceId, itemId, connection.Epoch) { ResponseId = responseId ?? _activeResponseId };
        _itemsById[itemId] = item;
        _itemsByUtterance[item.UtteranceId] = item;
        AddHistory(new HistoryEntry("assistant", string.Empty) { ItemId = itemId, Assistant = item });
        if (_itemsByUtterance.Count > MaxTrackedUtterances)
        {
            var oldest = _itemsByUtterance[_itemsByUtterance.Keys.Min()];
            _itemsByUtterance.Remove(oldest.UtteranceId);
            _itemsById.Remove(oldest.ItemId);
        }

        return item;
    }

    private static int? MarkAudioDone(AssistantItem item)
    {
        if (item.AudioDone)
        {
            return null;
        }

        item.AudioDone = true;
        return item.UtteranceId;
    }

    private void AddHistory(HistoryEntry entry)
    {
        _history.Add(entry);
        if (_history.Count > MaxHistoryItems * 2)
        {
            _history.RemoveRange(0, _history.Count - MaxHistoryItems);
        }
    }

    /// <summary>The conversation so far as text items, newest last, capped in items and characters.</summary>
    private List<RealtimeMessageItem> BuildSeed()
    {
        var seed = new List<RealtimeMessageItem>();
        var chars = 0;
        for (var i = _history.Count - 1; i >= 0 && seed.Count < MaxHistoryItems; i--)
        {
            var entry = _history[i];
            var text = entry.Assistant is { } a ? Heard(a) : entry.Text;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            chars += text.Length;
            if (chars > MaxHistoryChars)
            {
                break;
            }

            seed.Add(entry.Role == "assistant"
                ? new RealtimeMessageItem("assistant", [new RealtimeContentPart("output_text", text)])
                : new RealtimeMessageItem("user", [new RealtimeContentPart("input_text", text)]));
        }

        seed.Reverse();
        return seed;

        // What the caller heard of an assistant item: all of it, or the played share of it after a barge-in.
        static string Heard(AssistantItem item)
        {
            var text = item.Transcript.ToString();
            if (item.HeardRatio >= 1)
            {
                return text;
            }

            var cut = (int)(text.Length * item.HeardRatio);
            var space = text.LastIndexOf(' ', Math.Max(0, Math.Min(cut, text.Length - 1)));
            return (space > 0 ? text[..space] : text[..cut]).TrimEnd() + (cut > 0 ? "…" : string.Empty);
        }
    }

    private void OnConnectionLost()
    {
        var done = new List<int>();
        lock (_gate)
        {
            foreach (var item in _itemsByUtterance.Values)
            {
                if (item.Epoch == _epoch && MarkAudioDone(item) is { } u)
                {
                    done.Add(u);
                }
            }

            // An answer cut off by the drop (or one asked for and not yet started) is asked for again after re-seeding.
            _resumeAfterReconnect = _activeResponseId is not null || _responseRequested || _responsePending;
            _activeResponseId = null;
            _responseRequested = false;
            _responsePending = false;
            _userTranscripts.Clear();
            _stats = _stats with { ConnectionsLost = _stats.ConnectionsLost + 1 };
        }

        foreach (var u in done)
        {
            Publish(new AgentAudioDone(u));
        }
    }

    // ---------------------------------------------------------------- plumbing

    private string NextEventId(string type)
    {
        var id = "cli_" + Interlocked.Increment(ref _eventCounter).ToString(System.Globalization.CultureInfo.InvariantCulture);
        lock (_gate)
        {
            _sentEventTypes[id] = type;
            _sentEventOrder.Enqueue(id);
            if (_sentEventOrder.Count > 256)
            {
                _sentEventTypes.Remove(_sentEventOrder.Dequeue());
            }
        }

        return id;
    }

    private void EnqueueJson<T>(T message, JsonTypeInfo<T> typeInfo, int epoch)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(message, typeInfo);
        _outgoing.Writer.TryWrite(new Outgoing(OutgoingKind.Json, bytes, bytes.Length, epoch));
    }

    private void CountAudioSent(int bytes)
    {
        Interlocked.Increment(ref _audioChunksSent);
        Interlocked.Add(ref _audioBytesSent, bytes);
    }

    private void Publish(ProviderEvent e) => _events.Writer.TryWrite(e);

    private void Fail(ProviderError error, string reason)
    {
        OpenAIRealtimeLog.SessionFailed(_logger, _callId, reason, null);
        Publish(error with { Fatal = true });
        End(reason, hangUp: true);
    }

    private void End(string reason, bool hangUp)
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        _connected = false;
        Volatile.Write(ref _stopRequested, 1);
        _outgoing.Writer.TryComplete();
        _events.Writer.TryWrite(new SessionEnded(reason, hangUp));
        _events.Writer.TryComplete();
    }

    private void DrainOutgoing()
    {
        while (_outgoing.Reader.TryRead(out var message))
        {
            if (message.Kind == OutgoingKind.Audio)
            {
                Interlocked.Add(ref _queuedAudioBytes, -message.Length);
                ArrayPool<byte>.Shared.Return(message.Buffer);
            }
        }
    }

    private static string? ReadId(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            if (isId && reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString();
            }

            reader.Skip();
        }

        return null;
    }

    private static string? GetString(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static int GetInt(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) ? i : 0;

    private static long GetLong(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var i) ? i : 0;

    private enum OutgoingKind
    {
        Json,
        Audio,
    }

    /// <summary>A queued client event: serialized JSON, or pooled caller audio that the send loop wraps in an append.</summary>
    private readonly record struct Outgoing(OutgoingKind Kind, byte[] Buffer, int Length, int Epoch);

    private sealed record ServerError(string Type, string Code, string Message, string? Param, string? EventId);

    private enum OutcomeKind
    {
        Stopped,
        Lost,
        Fatal,
    }

    private sealed record Outcome(OutcomeKind Kind, ProviderError? Error)
    {
        public static readonly Outcome Stopped = new(OutcomeKind.Stopped, null);

        public static Outcome Lost(ProviderErrorKind kind, string code, string message) =>
            new(OutcomeKind.Lost, new ProviderError(kind, code, message, Fatal: false));

        public static Outcome FatalError(ProviderError error) => new(OutcomeKind.Fatal, error);
    }

    private sealed record ConnectResult(Connection? Connection, ProviderError? Error)
    {
        public static ConnectResult Failed(ProviderError error) => new(null, error);
    }

    /// <summary>One WebSocket and its receive buffer.</summary>
    private sealed class Connection(ClientWebSocket socket, MessageBuffer buffer, int epoch, string? sessionId) : IDisposable
    {
        public ClientWebSocket Socket { get; } = socket;

        public MessageBuffer Buffer { get; } = buffer;

        public int Epoch { get; } = epoch;

        public string? SessionId { get; } = sessionId;

        public Outcome? PendingOutcome { get; set; }

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

    /// <summary>An assistant item: one agent utterance.</summary>
    private sealed class AssistantItem(int utteranceId, string itemId, int epoch)
    {
        public int UtteranceId { get; } = utteranceId;

        public string ItemId { get; } = itemId;

        public int Epoch { get; } = epoch;

        public string? ResponseId { get; set; }

        public long ReceivedBytes { get; set; }

        public bool AudioDone { get; set; }

        public bool Interrupted { get; set; }

        public double HeardRatio { get; set; } = 1;

        public StringBuilder Transcript { get; } = new();
    }

    /// <summary>One conversation turn kept for re-seeding after a reconnect.</summary>
    private sealed class HistoryEntry(string role, string text)
    {
        public string Role { get; } = role;

        public string Text { get; set; } = text;

        public string? ItemId { get; init; }

        public AssistantItem? Assistant { get; init; }
    }
}

/// <summary>The OpenAI Realtime session could not start; the message never contains the API key.</summary>
public sealed class OpenAIRealtimeException(ProviderErrorKind kind, string code, string message) : Exception(message)
{
    /// <summary>The error kind.</summary>
    public ProviderErrorKind Kind { get; } = kind;

    /// <summary>The error code (<c>invalid_api_key</c>, <c>connect_failed</c>, ...).</summary>
    public string Code { get; } = code;
}
