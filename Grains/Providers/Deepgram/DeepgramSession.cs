using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using AiAgent.Grains.Interfaces.Audio;
using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>
/// One Deepgram Voice Agent v1 session (PROTOCOLS.md section 3) on a plain <see cref="ClientWebSocket"/>:
/// <c>{base_url}/v1/agent/converse</c>, <c>Authorization: Token …</c>, a <c>Settings</c> frame first and once,
/// binary audio both ways, <c>KeepAlive</c> only while no caller audio flows.
/// </summary>
/// <remarks>
/// <para>Threads: a supervisor task owns the connection's life; per connection one receive loop and one send loop
/// (the only writer of the socket, draining <see cref="_outbound"/>) and a keep-alive ticker that only enqueues.
/// Nothing runs on the grain scheduler; everything the grain sees arrives through <see cref="Events"/>.</para>
/// <para>Caller audio before <c>SettingsApplied</c> (at start and while reconnecting) is buffered, keeping the
/// newest <see cref="PreSettingsBufferMs"/> ms; older audio is dropped and counted.</para>
/// <para>Barge-in: <c>UserStartedSpeaking</c> becomes <see cref="UserSpeechStarted"/>, the open utterance is closed
/// with <see cref="AgentAudioDone"/> at once, and agent binary frames are dropped until the next
/// <c>AgentStartedSpeaking</c> (checklist 3.8.6). Deepgram has no truncate: the server cuts its own context.</para>
/// <para>Faults: a server <c>Error</c> or a lost socket ends the connection; while the call continues the session
/// reconnects (up to <c>max_reconnect_attempts</c> consecutive failures) with the conversation so far re-seeded as
/// <c>agent.context.messages</c> and no second greeting. A 401/403 at upgrade or <c>INVALID_SETTINGS</c> is final.</para>
/// <para>Session cap: the service closes every session 2 h after it began (3.6). From <c>session_rollover_margin_ms</c>
/// before <c>max_session_minutes</c> (counted from <c>SettingsApplied</c>) a planned rollover opens a new connection
/// the same way, re-seeded and without a greeting, while the old one still carries the call, at a quiet moment or
/// forced shortly before the cap; then the old socket is closed politely and caller audio goes on over the new one
/// (<see cref="ProviderReconnected"/> with attempt 0). See <c>PlanRolloverAsync</c>.</para>
/// </remarks>
internal sealed class DeepgramSession : IAgentSession
{
    /// <summary>Caller audio held while no connection is ready for it.</summary>
    public const int PreSettingsBufferMs = 1_000;

    /// <summary>Caller-audio messages the grain may queue ahead of the network before new ones are dropped.</summary>
    private const int OutboundCapacity = 512;

    private const int MaxTextMessageBytes = 1 << 20;
    private const int MaxBinaryMessageBytes = 8 << 20;

    private static readonly byte[] s_keepAlive = """{"type":"KeepAlive"}"""u8.ToArray();

    /// <summary>How long the old connection may take to answer our close after a rollover.</summary>
    private static readonly TimeSpan s_closeHandshake = TimeSpan.FromSeconds(1);

    private readonly DeepgramOptions _options;
    private readonly string? _apiKey;
    private readonly AgentSessionContext _context;
    private readonly ILogger _logger;
    private readonly DeepgramMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Uri _endpoint;
    private readonly Channel<ProviderEvent> _events = Channel.CreateUnbounded<ProviderEvent>(new() { SingleReader = true });
    private readonly Channel<Outbound> _outbound = Channel.CreateBounded<Outbound>(
        new BoundedChannelOptions(OutboundCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource _firstReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<HistoryItem> _history = [];
    private readonly int _preSettingsBudget;

    // Receive-loop state (one receive loop at a time; the supervisor reads it only between connections).
    private string? _requestId;
    private int _lastUtteranceId;
    private volatile int _openUtteranceId;
    private bool _dropAgentAudio;
    private volatile bool _userSpeaking;

    // Read by the rollover planner: an answer is owed (the caller's turn ended, the agent has not started speaking).
    private volatile bool _answerOwed;

    // TimeProvider timestamp at which the agent audio received so far has played out (real-time estimate).
    private long _playoutEndsAt;
    private bool _sawAgentStartedSpeaking;
    private volatile bool _ended;
    private bool _everReady;
    private int _reconnectAttempt;
    private byte? _oddByte;

    private volatile Connection? _connection;

    // A connection a planned rollover opened and configured; the next RunConnectionAsync takes it over.
    private PreparedConnection? _successor;
    private long _droppedQueueFull;
    private int _stopping;
    private Task? _supervisor;

    public DeepgramSession(
        DeepgramOptions options,
        string? apiKey,
        AgentSessionContext context,
        ILogger logger,
        DeepgramMetrics metrics,
        TimeProvider time)
    {
        _options = options;
        _apiKey = apiKey;
        _context = context;
        _logger = logger;
        _metrics = metrics;
        _time = time;
        Formats = DeepgramSettingsBuilder.ResolveFormats(options, context.CallFormat);
        _endpoint = BuildEndpoint(options.BaseUrl);
        _preSettingsBudget = Formats.Input.BytesFor(TimeSpan.FromMilliseconds(PreSettingsBufferMs));
    }

    /// <inheritdoc/>
    public string ProviderName => DeepgramOptions.Name;

    /// <inheritdoc/>
    public ProviderAudioFormats Formats { get; }

    /// <inheritdoc/>
    public ChannelReader<ProviderEvent> Events => _events.Reader;

    /// <summary>The endpoint this session connects to.</summary>
    public Uri Endpoint => _endpoint;

    /// <summary>Builds <c>{base_url}/v1/agent/converse</c> (a base URL that already names the path is kept).</summary>
    public static Uri BuildEndpoint(string baseUrl)
    {
        const string path = "/v1/agent/converse";
        var trimmed = baseUrl.TrimEnd('/');
        return new Uri(trimmed.EndsWith(path, StringComparison.Ordinal) ? trimmed : trimmed + path);
    }

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_supervisor is not null)
        {
            throw new InvalidOperationException("the session has already been started");
        }

        if (string.IsNullOrEmpty(_apiKey))
        {
            DeepgramLog.ApiKeyMissing(_logger, _context.CallId, _options.ApiKeyEnv);
            var message = $"environment variable {_options.ApiKeyEnv} (providers.deepgram.api_key_env) is not set";
            Fail(ProviderErrorKind.Authentication, "MISSING_API_KEY", message);
            End("authentication failed: no API key", hangUp: true, outcome: "auth_failed");
            _supervisor = Task.CompletedTask;
            throw new DeepgramSessionException(ProviderErrorKind.Authentication, "MISSING_API_KEY", message);
        }

        _supervisor = Task.Run(() => SuperviseAsync(_lifetime.Token), CancellationToken.None);
        await _firstReady.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask SendAudioAsync(ReadOnlyMemory<byte> audio, CancellationToken cancellationToken)
    {
        if (audio.IsEmpty || _ended)
        {
            return ValueTask.CompletedTask;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(audio.Length);
        audio.Span.CopyTo(buffer);
        if (!_outbound.Writer.TryWrite(Outbound.Audio(buffer, audio.Length)))
        {
            // Never block the grain on the network: a full queue means the socket is stuck or reconnecting.
            ArrayPool<byte>.Shared.Return(buffer);
            if (Volatile.Read(ref _stopping) == 0)
            {
                if (Interlocked.Add(ref _droppedQueueFull, audio.Length) == audio.Length)
                {
                    DeepgramLog.CallerAudioDropped(_logger, _context.CallId, audio.Length, "send queue full");
                }

                _metrics.Dropped("caller", "queue_full", audio.Length);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask SendDtmfAsync(char digit, CancellationToken cancellationToken)
    {
        if (!(char.IsAsciiDigit(digit) || digit is '*' or '#' or (>= 'A' and <= 'D')))
        {
            DeepgramLog.InvalidDtmf(_logger, _context.CallId, digit);
            return ValueTask.CompletedTask;
        }

        var message = new InjectUserMessage($"The caller pressed the telephone key {digit}.");
        return WriteControlAsync(Outbound.Control(message, generation: 0), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Deepgram has no truncate message: the server stops its own audio on <c>UserStartedSpeaking</c>
    /// and keeps its context; nothing is sent.</remarks>
    public ValueTask NotifyPlayoutInterruptedAsync(int utteranceId, long playedMilliseconds, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var first = Interlocked.Exchange(ref _stopping, 1) == 0;

        // The send loop closes the socket when the queue completes, so the close never races a data frame.
        _outbound.Writer.TryComplete();
        if (_supervisor is null)
        {
            if (first)
            {
                End("stopped before start", hangUp: false, outcome: "stopped");
            }

            return;
        }

        if (_connection is not { Ready: true })
        {
            // Connecting or waiting to reconnect: nothing to close politely.
            await _lifetime.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await _supervisor.WaitAsync(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await _lifetime.CancelAsync().ConfigureAwait(false);
            await _supervisor.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }
        finally
        {
            await _lifetime.CancelAsync().ConfigureAwait(false);
            if (_supervisor is not null)
            {
                await _supervisor.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            while (_outbound.Reader.TryRead(out var item))
            {
                item.Release();
            }

            _lifetime.Dispose();
        }
    }

    private async ValueTask WriteControlAsync(Outbound item, CancellationToken cancellationToken)
    {
        try
        {
            await _outbound.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ChannelClosedException or OperationCanceledException)
        {
            // The session or the connection is ending: the message has nowhere to go.
        }
    }

    private async Task SuperviseAsync(CancellationToken lifetime)
    {
        var failures = 0;
        Fault? last = null;
        try
        {
            while (!lifetime.IsCancellationRequested)
            {
                if (Volatile.Read(ref _stopping) == 1)
                {
                    End("stopped", hangUp: false, outcome: "stopped");
                    return;
                }

                if (failures > 0)
                {
                    // Backoff 250 ms, 500 ms, 1 s, then 2 s: a quick retry for a blip without hammering a failing service.
                    var delay = TimeSpan.FromMilliseconds(Math.Min(2_000, 250 << Math.Min(failures - 1, 3)));
                    await Task.Delay(delay, _time, lifetime).ConfigureAwait(false);
                }

                _reconnectAttempt = failures;
                var outcome = await RunConnectionAsync(isReconnect: _everReady, lifetime).ConfigureAwait(false);
                if (Volatile.Read(ref _successor) is not null)
                {
                    // A planned rollover: the next connection is ready; it is no fault.
                    failures = 0;
                    continue;
                }

                if (outcome is null)
                {
                    End("stopped", hangUp: false, outcome: "stopped");
                    return;
                }

                last = outcome;
                failures = outcome.WasReady ? 1 : failures + 1;
                Fail(outcome.Kind, outcome.Code, outcome.Description);

                // An answer cut off by the fault ends here: what arrived still plays out, and nothing more comes for it.
                CloseUtterance();
                if (outcome.Final)
                {
                    End($"{outcome.Code}: {outcome.Description}", hangUp: true, outcome: outcome.Kind == ProviderErrorKind.Authentication ? "auth_failed" : "failed");
                    return;
                }

                if (Volatile.Read(ref _stopping) == 1)
                {
                    End("stopped", hangUp: false, outcome: "stopped");
                    return;
                }

                if (failures > _options.MaxReconnectAttempts)
                {
                    DeepgramLog.ReconnectsExhausted(_logger, _context.CallId, _options.MaxReconnectAttempts, _requestId, outcome.Code);
                    End($"{outcome.Code} after {_options.MaxReconnectAttempts} reconnect attempts", hangUp: true, outcome: "failed");
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            End("stopped", hangUp: false, outcome: "stopped");
        }
        catch (Exception ex)
        {
            // A bug must end this call cleanly, never the process or other calls.
            DeepgramLog.ConnectionLost(_logger, _context.CallId, _requestId, "INTERNAL", ex.GetType().Name, ex);
            Fail(ProviderErrorKind.Other, "INTERNAL", ex.Message);
            End("internal error", hangUp: true, outcome: "failed");
        }
        finally
        {
            Interlocked.Exchange(ref _successor, null)?.Dispose();
            if (last is not null)
            {
                _firstReady.TrySetException(new DeepgramSessionException(last.Kind, last.Code, last.Description));
            }
            else
            {
                _firstReady.TrySetException(new DeepgramSessionException(ProviderErrorKind.Other, "STOPPED", "the session stopped before it started"));
            }
        }
    }

    /// <summary>
    /// Runs one connection to its end; null when it ended because the session is stopping or rolled over (then
    /// <see cref="_successor"/> holds the next connection).
    /// </summary>
    private async Task<Fault?> RunConnectionAsync(bool isReconnect, CancellationToken lifetime)
    {
        if (Interlocked.Exchange(ref _successor, null) is { } handover)
        {
            using (handover)
            {
                return await RunSocketAsync(handover.Socket, handover.Cancellation, isReconnect, handover, lifetime).ConfigureAwait(false);
            }
        }

        DeepgramLog.Connecting(_logger, _context.CallId, _endpoint.GetLeftPart(UriPartial.Path), _reconnectAttempt + 1, Formats.Input.ToString(), Formats.Output.ToString());
        using var connectionCts = CancellationTokenSource.CreateLinkedTokenSource(lifetime);
        // One budget for the upgrade and SettingsApplied; cleared once the session is ready.
        connectionCts.CancelAfter(TimeSpan.FromMilliseconds(_options.ConnectTimeoutMs));
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Token " + _apiKey);
        socket.Options.CollectHttpResponseDetails = true;
        _requestId = null;
        try
        {
            await socket.ConnectAsync(_endpoint, connectionCts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException && !lifetime.IsCancellationRequested)
        {
            if (socket.HttpStatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                DeepgramLog.AuthenticationFailed(_logger, _context.CallId, (int)socket.HttpStatusCode);
                return new Fault(ProviderErrorKind.Authentication, $"HTTP_{(int)socket.HttpStatusCode}",
                    "Deepgram rejected the API key at the WebSocket upgrade", Final: true, WasReady: false);
            }

            var code = ex is OperationCanceledException ? "CONNECT_TIMEOUT" : "CONNECT_FAILED";
            var status = socket.HttpStatusCode == 0 ? string.Empty : $" (HTTP {(int)socket.HttpStatusCode})";
            DeepgramLog.ConnectionLost(_logger, _context.CallId, null, code, ex.Message, ex is OperationCanceledException ? null : ex);
            return new Fault(socket.HttpStatusCode == HttpStatusCode.TooManyRequests ? ProviderErrorKind.RateLimited : ProviderErrorKind.Disconnected,
                code, $"cannot connect to {_endpoint.GetLeftPart(UriPartial.Path)}{status}", Final: false, WasReady: false);
        }
        catch (OperationCanceledException)
        {
            return null;
        }

        return await RunSocketAsync(socket, connectionCts, isReconnect, handover: null, lifetime).ConfigureAwait(false);
    }

    /// <summary>Runs the loops of one open socket: a fresh one (Settings first) or one a rollover already configured.</summary>
    private async Task<Fault?> RunSocketAsync(
        ClientWebSocket socket, CancellationTokenSource connectionCts, bool isReconnect, PreparedConnection? handover, CancellationToken lifetime)
    {
        var connection = new Connection(socket, connectionCts);
        _connection = connection;
        try
        {
            if (handover is null)
            {
                // Settings goes out before the send loop starts, so it is the first frame on the socket (3.8.2).
                var history = isReconnect ? HistorySnapshot() : [];
                var settings = DeepgramSettingsBuilder.Build(_options, Formats, history, includeGreeting: !isReconnect);
                var json = JsonSerializer.SerializeToUtf8Bytes(settings, DeepgramJsonContext.Default.SettingsMessage);
                connection.HistorySeeded = history.Length;
                await socket.SendAsync(json, WebSocketMessageType.Text, endOfMessage: true, connectionCts.Token).ConfigureAwait(false);
            }
            else
            {
                TakeOver(connection, handover);
            }

            var receive = ReceiveLoopAsync(connection);
            var send = SendLoopAsync(connection);
            var keepAlive = KeepAliveLoopAsync(connection);
            var rollover = PlanRolloverAsync(connection);
            await Task.WhenAny(receive, send).ConfigureAwait(false);
            if (connection.Successor is not null && send.IsCompleted)
            {
                // Rolling over: the send loop sent our close; let the server answer it so the old socket ends cleanly.
                await receive.WaitAsync(s_closeHandshake, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await connectionCts.CancelAsync().ConfigureAwait(false);
            socket.Abort();
            await Task.WhenAll(receive, send, keepAlive, rollover).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            connection.SetFault(new Fault(ProviderErrorKind.Disconnected, "CONNECTION_LOST", ex.Message, Final: false, WasReady: false));
        }
        finally
        {
            _connection = null;
            connection.ReleasePending();
        }

        if (connection.Successor is { } successor)
        {
            if (lifetime.IsCancellationRequested || Volatile.Read(ref _stopping) == 1)
            {
                successor.Dispose();
                return null;
            }

            // Handed over even when the old connection ended by itself meanwhile (e.g. closed at the cap): the new
            // one is configured already, so no reconnect is needed.
            Volatile.Write(ref _successor, successor);
            return null;
        }

        if (connection.Fault is null || Volatile.Read(ref _stopping) == 1 && connection.Fault.Kind == ProviderErrorKind.Disconnected)
        {
            return lifetime.IsCancellationRequested || Volatile.Read(ref _stopping) == 1
                ? null
                : new Fault(ProviderErrorKind.Disconnected, "CONNECTION_CLOSED", "the connection closed", Final: false, connection.Ready);
        }

        return connection.Fault with { WasReady = connection.Ready };
    }

    private async Task ReceiveLoopAsync(Connection connection)
    {
        var socket = connection.Socket;
        var token = connection.Cancellation.Token;
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var count = 0;
        try
        {
            while (true)
            {
                if (count == buffer.Length)
                {
                    var limit = MaxBinaryMessageBytes;
                    if (buffer.Length >= limit)
                    {
                        connection.SetFault(new Fault(ProviderErrorKind.Server, "MESSAGE_TOO_LARGE", $"a server message exceeded {limit} bytes", Final: false, WasReady: false));
                        return;
                    }

                    var bigger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, count).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = bigger;
                }

                var result = await socket.ReceiveAsync(buffer.AsMemory(count), token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (connection.Successor is not null)
                    {
                        // The server answered the close of a rollover: the call goes on over the successor.
                        return;
                    }

                    var description = socket.CloseStatusDescription;
                    var detail = $"the server closed the connection ({(int?)socket.CloseStatus ?? 0}{(string.IsNullOrEmpty(description) ? string.Empty : " " + description)})";
                    if (Volatile.Read(ref _stopping) == 0)
                    {
                        DeepgramLog.ConnectionLost(_logger, _context.CallId, _requestId, "CONNECTION_CLOSED", detail, null);
                    }

                    connection.SetFault(new Fault(ProviderErrorKind.Disconnected, "CONNECTION_CLOSED", detail, Final: false, WasReady: false));
                    return;
                }

                count += result.Count;
                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    if (count > MaxTextMessageBytes)
                    {
                        connection.SetFault(new Fault(ProviderErrorKind.Server, "MESSAGE_TOO_LARGE", $"a server text message exceeded {MaxTextMessageBytes} bytes", Final: false, WasReady: false));
                        return;
                    }

                    if (!HandleText(connection, buffer.AsSpan(0, count)))
                    {
                        return;
                    }
                }
                else
                {
                    HandleAgentAudio(buffer.AsSpan(0, count));
                }

                count = 0;
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            if (!connection.Ready && !_lifetime.IsCancellationRequested && Volatile.Read(ref _stopping) == 0)
            {
                connection.SetFault(new Fault(ProviderErrorKind.Disconnected, "CONNECT_TIMEOUT",
                    $"no SettingsApplied within {_options.ConnectTimeoutMs} ms", Final: false, WasReady: false));
            }
        }
        catch (WebSocketException ex)
        {
            if (Volatile.Read(ref _stopping) == 0)
            {
                DeepgramLog.ConnectionLost(_logger, _context.CallId, _requestId, "CONNECTION_LOST", ex.Message, ex);
            }

            connection.SetFault(new Fault(ProviderErrorKind.Disconnected, "CONNECTION_LOST", "the connection dropped: " + ex.Message, Final: false, WasReady: false));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The <c>type</c>, <c>code</c> and <c>description</c> of a frame whose other fields did not parse; null when it is not JSON.</summary>
    private static ServerMessage? ReadLeniently(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var root = document.RootElement;
            string? Text(string name) =>
                root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            return new ServerMessage { Type = Text("type"), Code = Text("code"), Description = Text("description") };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Handles one server text frame; false when it ends the connection (a server <c>Error</c>).</summary>
    private bool HandleText(Connection connection, ReadOnlySpan<byte> json)
    {
        ServerMessage? message;
        try
        {
            message = JsonSerializer.Deserialize(json, DeepgramJsonContext.Default.ServerMessage);
        }
        catch (JsonException ex)
        {
            // A field of an unexpected JSON type fails the typed parse of the whole frame; an Error must still end
            // the connection, so read the frame again field by field.
            DeepgramLog.UnparsableServerMessage(_logger, _context.CallId, _requestId, ex);
            message = ReadLeniently(json);
            if (message?.Type != "Error")
            {
                return true;
            }
        }

        switch (message?.Type)
        {
            case "Welcome":
                _requestId = message.RequestId;
                DeepgramLog.Welcome(_logger, _context.CallId, _requestId);
                break;
            case "SettingsApplied":
                OnSettingsApplied(connection);
                break;
            case "ConversationText":
                OnConversationText(message.Role, message.Content ?? string.Empty);
                break;
            case "UserStartedSpeaking":
                OnUserStartedSpeaking();
                break;
            case "AgentThinking":
                EndUserTurn();
                _answerOwed = true;
                break;
            case "AgentStartedSpeaking":
                OnAgentStartedSpeaking(message);
                break;
            case "AgentAudioDone":
                _answerOwed = false;
                CloseUtterance();
                break;
            case "FunctionCallRequest":
                OnFunctionCallRequest(connection, message.Functions);
                break;
            case "InjectionRefused":
                DeepgramLog.InjectionRefused(_logger, _context.CallId, _requestId, message.Message);
                break;
            case "Warning":
                DeepgramLog.ServerWarning(_logger, _context.CallId, _requestId, message.Code ?? "UNKNOWN", message.Description ?? string.Empty);
                _metrics.Warning(message.Code ?? "UNKNOWN");
                break;
            case "Error":
                var code = message.Code ?? "UNKNOWN";
                var description = message.Description ?? string.Empty;
                DeepgramLog.ServerError(_logger, _context.CallId, _requestId, code, description);
                connection.SetFault(new Fault(ClassifyError(code), code, description,
                    Final: code is "INVALID_SETTINGS" or "USER_AUDIO_FORMAT" || ClassifyError(code) == ProviderErrorKind.Authentication, WasReady: false));
                return false;
            default:
                // History, LatencyReport, *Updated acks, server-side FunctionCallResponse and unknown types.
                DeepgramLog.Ignored(_logger, _context.CallId, message?.Type);
                break;
        }

        return true;
    }

    private void OnSettingsApplied(Connection connection)
    {
        if (connection.Ready)
        {
            return;
        }

        connection.Cancellation.CancelAfter(Timeout.InfiniteTimeSpan);
        connection.MarkActivity(_time);
        connection.MarkReady(_time.GetTimestamp());
        if (!_everReady)
        {
            _everReady = true;
            DeepgramLog.SessionStarted(_logger, _context.CallId, _requestId);
            Emit(new SessionStarted(_requestId));
            _firstReady.TrySetResult();
        }
        else
        {
            DeepgramLog.Reconnected(_logger, _context.CallId, _reconnectAttempt, _requestId, connection.HistorySeeded);
            _metrics.Reconnected(planned: false);
            Emit(new ProviderReconnected(_reconnectAttempt));
        }

        // Wake the send loop so audio held before SettingsApplied goes out now, not with the next caller frame.
        _outbound.Writer.TryWrite(Outbound.Wake);
    }

    private void OnConversationText(string? role, string content)
    {
        if (role == "user")
        {
            EndUserTurn();
            _answerOwed = true;
            lock (_history)
            {
                _history.Add(new HistoryItem("user", content));
            }

            Emit(new UserTranscript(content, IsFinal: true));
        }
        else if (role == "assistant")
        {
            if (_dropAgentAudio && !_sawAgentStartedSpeaking)
            {
                // A server that never sends AgentStartedSpeaking (some accounts need "experimental") would otherwise
                // mute every turn after a barge-in: the next agent text marks the new turn instead.
                _dropAgentAudio = false;
                CloseUtterance();
            }

            _answerOwed = false;
            lock (_history)
            {
                _history.Add(new HistoryItem("assistant", content));
            }

            Emit(new AgentTranscript(content, IsFinal: true));
        }
        else
        {
            DeepgramLog.Ignored(_logger, _context.CallId, "ConversationText/" + role);
        }
    }

    private void OnUserStartedSpeaking()
    {
        _userSpeaking = true;
        _dropAgentAudio = true;
        // The gateway stops playout on barge-in: nothing of the old answer is still playing.
        Volatile.Write(ref _playoutEndsAt, 0);
        _oddByte = null;
        Emit(new UserSpeechStarted());
        if (_openUtteranceId != 0)
        {
            DeepgramLog.BargeIn(_logger, _context.CallId, _openUtteranceId);
            CloseUtterance();
        }
    }

    /// <summary>Deepgram has no "speech stopped": the first sign of the answer (transcript, thinking, speaking) ends the turn.</summary>
    private void EndUserTurn()
    {
        if (_userSpeaking)
        {
            _userSpeaking = false;
            Emit(new UserSpeechStopped());
        }
    }

    private void OnAgentStartedSpeaking(ServerMessage message)
    {
        EndUserTurn();
        CloseUtterance();
        _dropAgentAudio = false;
        _answerOwed = false;
        _sawAgentStartedSpeaking = true;
        var id = OpenUtterance();
        var total = message.TotalLatency ?? 0;
        DeepgramLog.AgentStartedSpeaking(_logger, _context.CallId, id, total, message.TttLatency, message.TtsLatency);
        _metrics.Latency(total, message.TttLatency, message.TtsLatency);
        Emit(new ProviderLatency(id, Seconds(total), message.TttLatency is { } ttt ? Seconds(ttt) : null, message.TtsLatency is { } tts ? Seconds(tts) : null));

        static TimeSpan Seconds(double value) => TimeSpan.FromSeconds(double.IsFinite(value) && value >= 0 ? value : 0);
    }

    private void HandleAgentAudio(ReadOnlySpan<byte> audio)
    {
        if (_dropAgentAudio)
        {
            _metrics.Dropped("agent", "barge_in", audio.Length);
            return;
        }

        var id = _openUtteranceId != 0 ? _openUtteranceId : OpenUtterance();
        var format = Formats.Output;
        EstimatePlayout(format, audio.Length);
        if (format.BlockAlign == 1)
        {
            Emit(new AgentAudio(audio.ToArray(), format, id));
            return;
        }

        // Frames are not promised to hold whole samples: carry an odd byte so every chunk decodes as PCM16.
        var carried = _oddByte.HasValue ? 1 : 0;
        var whole = (carried + audio.Length) & ~1;
        if (whole > 0)
        {
            var bytes = new byte[whole];
            if (_oddByte is { } odd)
            {
                bytes[0] = odd;
            }

            audio[..(whole - carried)].CopyTo(bytes.AsSpan(carried));
            Emit(new AgentAudio(bytes, format, id));
        }

        _oddByte = (carried + audio.Length) % 2 == 1 ? audio[^1] : null;
    }

    private int OpenUtterance()
    {
        _openUtteranceId = ++_lastUtteranceId;
        _oddByte = null;
        return _openUtteranceId;
    }

    private void CloseUtterance()
    {
        if (_openUtteranceId != 0)
        {
            Emit(new AgentAudioDone(_openUtteranceId));
            _openUtteranceId = 0;
        }

        _oddByte = null;
    }

    private void OnFunctionCallRequest(Connection connection, List<FunctionCall>? functions)
    {
        foreach (var function in functions ?? [])
        {
            _metrics.FunctionCall(function.ClientSide);
            DeepgramLog.FunctionCallRequested(_logger, _context.CallId, function.Name, function.Id, function.ClientSide, function.ClientSide);
            if (!function.ClientSide)
            {
                continue;
            }

            // We configure no functions, so any client-side request is answered at once: a request left unanswered
            // stalls the agent's turn.
            var content = JsonSerializer.Serialize(
                new FunctionErrorContent($"function '{function.Name}' is not available on this line"),
                DeepgramToolJsonContext.Default.FunctionErrorContent);
            var response = new FunctionCallResponseMessage(function.Id ?? string.Empty, function.Name ?? string.Empty, content);
            if (!_outbound.Writer.TryWrite(Outbound.Control(response, connection.Generation)))
            {
                // The queue is full of caller audio: answer without making the receive loop wait for room.
                _ = WriteControlAsync(Outbound.Control(response, connection.Generation), connection.Cancellation.Token).AsTask();
            }
        }
    }

    private async Task SendLoopAsync(Connection connection)
    {
        var socket = connection.Socket;
        var token = connection.Cancellation.Token;
        var reader = _outbound.Reader;
        var json = new ArrayBufferWriter<byte>(512);
        try
        {
            while (connection.Successor is null && await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                if (connection.Ready)
                {
                    await connection.FlushPendingAsync(this, json, token).ConfigureAwait(false);
                }

                // On a rollover stop taking items: what is queued now goes to the successor.
                while (connection.Successor is null && reader.TryRead(out var item))
                {
                    if (!connection.Ready && item.Kind != OutboundKind.Wake)
                    {
                        // No binary audio (nor anything else) before SettingsApplied (3.8.2): hold it, bounded.
                        connection.Hold(item, _preSettingsBudget, this);
                        continue;
                    }

                    if (connection.Ready && connection.HasPending)
                    {
                        await connection.FlushPendingAsync(this, json, token).ConfigureAwait(false);
                    }

                    await SendAsync(connection, item, json, token).ConfigureAwait(false);
                }
            }

            if (connection.Successor is not null)
            {
                // Rolled over: close this socket politely; RunSocketAsync waits briefly for the server's answer.
                if (socket.State == WebSocketState.Open)
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "session rollover", token).ConfigureAwait(false);
                }

                return;
            }

            // The queue completed: the session is stopping. Close politely; the receive loop sees the server's close.
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "call ended", token).ConfigureAwait(false);
            }

            // Give the server a moment to answer the close; the receive loop ends the connection when it does.
            await Task.Delay(TimeSpan.FromSeconds(2), _time, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (WebSocketException ex)
        {
            connection.SetFault(new Fault(ProviderErrorKind.Disconnected, "CONNECTION_LOST", "sending failed: " + ex.Message, Final: false, WasReady: false));
        }
    }

    private async ValueTask SendAsync(Connection connection, Outbound item, ArrayBufferWriter<byte> json, CancellationToken token)
    {
        try
        {
            switch (item.Kind)
            {
                case OutboundKind.Audio:
                    await connection.Socket.SendAsync(item.Buffer.AsMemory(0, item.Length), WebSocketMessageType.Binary, endOfMessage: true, token).ConfigureAwait(false);
                    connection.MarkActivity(_time);
                    break;
                case OutboundKind.KeepAlive when item.Generation == connection.Generation:
                    // Audio may have resumed since the ticker queued it: KeepAlive only while no audio flows (3.8.9).
                    if (connection.IdleFor(_time) >= connection.KeepAliveInterval(_options))
                    {
                        await connection.Socket.SendAsync(s_keepAlive, WebSocketMessageType.Text, endOfMessage: true, token).ConfigureAwait(false);
                        connection.MarkActivity(_time);
                        _metrics.KeepAliveSent();
                        DeepgramLog.KeepAliveSent(_logger, _context.CallId);
                    }

                    connection.KeepAliveQueued = false;
                    break;
                case OutboundKind.Control when item.Generation == 0 || item.Generation == connection.Generation:
                    json.ResetWrittenCount();
                    using (var writer = new Utf8JsonWriter(json))
                    {
                        switch (item.Message)
                        {
                            case InjectUserMessage inject:
                                JsonSerializer.Serialize(writer, inject, DeepgramJsonContext.Default.InjectUserMessage);
                                break;
                            case FunctionCallResponseMessage response:
                                JsonSerializer.Serialize(writer, response, DeepgramJsonContext.Default.FunctionCallResponseMessage);
                                break;
                        }
                    }

                    await connection.Socket.SendAsync(json.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, token).ConfigureAwait(false);
                    break;
            }
        }
        finally
        {
            item.Release();
        }
    }

    private HistoryItem[] HistorySnapshot()
    {
        lock (_history)
        {
            return _history.ToArray();
        }
    }

    /// <summary>Adds agent audio to the playout estimate: the gateway plays it in real time from when it arrives.</summary>
    private void EstimatePlayout(AudioFormat format, int bytes)
    {
        var now = _time.GetTimestamp();
        var start = Math.Max(now, Volatile.Read(ref _playoutEndsAt));
        var duration = (long)(format.DurationOf(bytes).TotalSeconds * _time.TimestampFrequency);
        Volatile.Write(ref _playoutEndsAt, start + duration);
    }

    /// <summary>A moment to switch connections without cutting anything: caller not mid-turn, no answer owed, no agent audio arriving or left to play.</summary>
    private bool IsQuiet() =>
        !_userSpeaking && !_answerOwed && _openUtteranceId == 0 && _time.GetTimestamp() >= Volatile.Read(ref _playoutEndsAt);

    /// <summary>The new connection of a planned rollover becomes the current one (on the supervisor, before its loops start).</summary>
    private void TakeOver(Connection connection, PreparedConnection handover)
    {
        // A forced switch may cut a turn: settle what the old connection left open; the new one starts fresh.
        EndUserTurn();
        CloseUtterance();
        _dropAgentAudio = false;
        _answerOwed = false;
        _requestId = handover.RequestId;
        connection.HistorySeeded = handover.HistorySeeded;
        connection.MarkActivity(_time);
        connection.MarkReady(handover.ReadyAt);
        DeepgramLog.RolledOver(_logger, _context.CallId, handover.Why, handover.RequestId, handover.HistorySeeded);
        _metrics.Reconnected(planned: true);
        // Attempt 0 marks a planned rollover (a fault's reconnect counts from 1).
        Emit(new ProviderReconnected(0));
        // Caller audio queued during the switch goes out now.
        _outbound.Writer.TryWrite(Outbound.Wake);
    }

    /// <summary>
    /// Plans the rollover before the session cap (3.6): from <c>session_rollover_margin_ms</c> before
    /// <c>max_session_minutes</c> after this connection's <c>SettingsApplied</c> it waits for a quiet moment, or forces
    /// it shortly before the cap; never before half the session, so a new connection cannot roll over in a loop.
    /// The successor is connected, configured and re-seeded while this connection still carries the call; then the
    /// send loop stops, closes this socket and the supervisor switches over. A failed attempt leaves the call here
    /// (the server's close at the cap then reconnects the usual way).
    /// </summary>
    private async Task PlanRolloverAsync(Connection connection)
    {
        if (_options.SessionRolloverMarginMs <= 0)
        {
            return;
        }

        var token = connection.Cancellation.Token;
        try
        {
            await connection.ReadyTask.WaitAsync(token).ConfigureAwait(false);
            var cap = _options.MaxSessionLength;
            var schedule = RolloverSchedule.For(cap, TimeSpan.FromMilliseconds(_options.SessionRolloverMarginMs));
            var began = _time.GetUtcNow() - _time.GetElapsedTime(connection.ReadyAt);
            DeepgramLog.RolloverPlanned(_logger, _context.CallId, cap, began + cap, began + schedule.PlannedAfter, began + schedule.ForcedAfter);
            var why = await schedule.WaitAsync(_time, connection.ReadyAt, IsQuiet, token).ConfigureAwait(false)
                ? "quiet moment"
                : "forced before the cap";
            if (await PrepareSuccessorAsync(why, token).ConfigureAwait(false) is { } next)
            {
                connection.Successor = next;
                // Wake the send loop so it stops and closes this socket even while no caller audio flows.
                _outbound.Writer.TryWrite(Outbound.Wake);
            }
        }
        catch (OperationCanceledException)
        {
            // The connection ended (or the session stopped) first.
        }
        catch (Exception ex)
        {
            // Defensive: a rollover is an optimisation; failing it must not end the call (the cap still reconnects).
            DeepgramLog.RolloverFailed(_logger, _context.CallId, ex.GetType().Name);
        }
    }

    /// <summary>
    /// Opens the rollover's connection: upgrade, Settings with the conversation so far and no greeting, then waits
    /// for <c>SettingsApplied</c> (Welcome gives its request_id). Null, logged, when that fails or the old connection ends.
    /// </summary>
    private async Task<PreparedConnection?> PrepareSuccessorAsync(string why, CancellationToken oldConnection)
    {
        // Linked to the session, not to the old connection, whose end must not cancel the new one after the switch.
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_lifetime.Token);
        cts.CancelAfter(TimeSpan.FromMilliseconds(_options.ConnectTimeoutMs));
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Token " + _apiKey);
        socket.Options.CollectHttpResponseDetails = true;
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        PreparedConnection? prepared = null;
        try
        {
            using var registration = oldConnection.Register(static state => ((CancellationTokenSource)state!).Cancel(), cts);
            DeepgramLog.Connecting(_logger, _context.CallId, _endpoint.GetLeftPart(UriPartial.Path), 0, Formats.Input.ToString(), Formats.Output.ToString());
            await socket.ConnectAsync(_endpoint, cts.Token).ConfigureAwait(false);
            var history = HistorySnapshot();
            var settings = DeepgramSettingsBuilder.Build(_options, Formats, history, includeGreeting: false);
            var json = JsonSerializer.SerializeToUtf8Bytes(settings, DeepgramJsonContext.Default.SettingsMessage);
            await socket.SendAsync(json, WebSocketMessageType.Text, endOfMessage: true, cts.Token).ConfigureAwait(false);

            string? requestId = null;
            while (prepared is null)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    if (count == buffer.Length)
                    {
                        DeepgramLog.RolloverFailed(_logger, _context.CallId, "a server message before SettingsApplied was too large");
                        return null;
                    }

                    result = await socket.ReceiveAsync(buffer.AsMemory(count), cts.Token).ConfigureAwait(false);
                    count += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    DeepgramLog.RolloverFailed(_logger, _context.CallId, $"the server closed the new connection ({(int?)socket.CloseStatus ?? 0})");
                    return null;
                }

                if (result.MessageType != WebSocketMessageType.Text)
                {
                    continue;
                }

                var message = JsonSerializer.Deserialize(buffer.AsSpan(0, count), DeepgramJsonContext.Default.ServerMessage);
                switch (message?.Type)
                {
                    case "Welcome":
                        requestId = message.RequestId;
                        break;
                    case "SettingsApplied":
                        cts.CancelAfter(Timeout.InfiniteTimeSpan);
                        prepared = new PreparedConnection(socket, cts, requestId, history.Length, _time.GetTimestamp(), why);
                        break;
                    case "Error":
                        DeepgramLog.ServerError(_logger, _context.CallId, requestId, message.Code ?? "UNKNOWN", message.Description ?? string.Empty);
                        DeepgramLog.RolloverFailed(_logger, _context.CallId, message.Code ?? "UNKNOWN");
                        return null;
                    default:
                        DeepgramLog.Ignored(_logger, _context.CallId, message?.Type);
                        break;
                }
            }

            return prepared;
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or JsonException or OperationCanceledException)
        {
            if (!oldConnection.IsCancellationRequested)
            {
                DeepgramLog.RolloverFailed(_logger, _context.CallId, ex is OperationCanceledException ? $"no SettingsApplied within {_options.ConnectTimeoutMs} ms" : ex.GetType().Name);
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (prepared is null)
            {
                socket.Abort();
                socket.Dispose();
                cts.Dispose();
            }
        }
    }

    private async Task KeepAliveLoopAsync(Connection connection)
    {
        var interval = connection.KeepAliveInterval(_options);
        using var timer = new PeriodicTimer(TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond * 100, interval.Ticks / 4)), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(connection.Cancellation.Token).ConfigureAwait(false))
            {
                if (connection.Ready && !connection.KeepAliveQueued && connection.IdleFor(_time) >= interval)
                {
                    connection.KeepAliveQueued = _outbound.Writer.TryWrite(Outbound.KeepAliveFor(connection.Generation));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static ProviderErrorKind ClassifyError(string code) => code switch
    {
        "UNPARSABLE_CLIENT_MESSAGE" or "NON_SETTINGS_MESSAGE_BEFORE_SETTINGS" or "SETTINGS_ALREADY_APPLIED"
            or "INVALID_SETTINGS" or "USER_AUDIO_FORMAT" => ProviderErrorKind.InvalidRequest,
        "CLIENT_MESSAGE_TIMEOUT" => ProviderErrorKind.Disconnected,
        _ when code.Contains("RATE_LIMIT", StringComparison.Ordinal) || code.Contains("TOO_MANY", StringComparison.Ordinal) => ProviderErrorKind.RateLimited,
        _ when code.Contains("UNAUTHORI", StringComparison.Ordinal) || code.Contains("AUTH", StringComparison.Ordinal) => ProviderErrorKind.Authentication,
        _ when code.Contains("SESSION", StringComparison.Ordinal) &&
               (code.Contains("LIMIT", StringComparison.Ordinal) || code.Contains("EXPIRED", StringComparison.Ordinal) ||
                code.Contains("DURATION", StringComparison.Ordinal) || code.Contains("MAX", StringComparison.Ordinal)) => ProviderErrorKind.SessionExpired,
        _ => ProviderErrorKind.Server,
    };

    private void Fail(ProviderErrorKind kind, string code, string description)
    {
        _metrics.Error(kind, code);
        Emit(new ProviderError(kind, code, _requestId is null ? description : $"{description} (request_id {_requestId})", Fatal: true));
    }

    private void End(string reason, bool hangUp, string outcome)
    {
        _ended = true;
        CloseUtterance();
        DeepgramLog.SessionEnded(_logger, _context.CallId, reason, hangUp);
        _metrics.SessionEnded(outcome);
        Emit(new SessionEnded(reason, hangUp));
        _events.Writer.TryComplete();
        _outbound.Writer.TryComplete();
    }

    private void Emit(ProviderEvent providerEvent) => _events.Writer.TryWrite(providerEvent);

    /// <summary>Why a connection ended.</summary>
    private sealed record Fault(ProviderErrorKind Kind, string Code, string Description, bool Final, bool WasReady);

    /// <summary>A connection a planned rollover opened, configured and re-seeded; the supervisor switches to it.</summary>
    private sealed class PreparedConnection(
        ClientWebSocket socket, CancellationTokenSource cancellation, string? requestId, int historySeeded, long readyAt, string why) : IDisposable
    {
        public ClientWebSocket Socket { get; } = socket;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        public string? RequestId { get; } = requestId;

        public int HistorySeeded { get; } = historySeeded;

        public long ReadyAt { get; } = readyAt;

        public string Why { get; } = why;

        public void Dispose()
        {
            Socket.Abort();
            Socket.Dispose();
            Cancellation.Dispose();
        }
    }

    /// <summary>One socket's state. Its send loop is the socket's only writer.</summary>
    private sealed class Connection(ClientWebSocket socket, CancellationTokenSource cancellation)
    {
        private static int s_generations;
        private readonly Queue<Outbound> _pendingAudio = new();
        private readonly Queue<Outbound> _pendingControl = new();
        private int _pendingAudioBytes;
        private long _droppedBytes;
        private long _lastActivity;
        private Fault? _fault;

        public ClientWebSocket Socket { get; } = socket;

        public CancellationTokenSource Cancellation { get; } = cancellation;

        /// <summary>Tags control messages that belong to this socket (a function-call answer is meaningless on the next).</summary>
        public int Generation { get; } = Interlocked.Increment(ref s_generations);

        public volatile bool Ready;

        /// <summary>The connection a planned rollover prepared to replace this one; set once, then this one winds down.</summary>
        public volatile PreparedConnection? Successor;

        private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes at <c>SettingsApplied</c>.</summary>
        public Task ReadyTask => _ready.Task;

        /// <summary>When <c>SettingsApplied</c> came (a <see cref="TimeProvider"/> timestamp): the session's age counts from it.</summary>
        public long ReadyAt { get; private set; }

        public void MarkReady(long readyAt)
        {
            ReadyAt = readyAt;
            Ready = true;
            _ready.TrySetResult();
        }

        public volatile bool KeepAliveQueued;

        public int HistorySeeded { get; set; }

        public bool HasPending => _pendingAudio.Count > 0 || _pendingControl.Count > 0;

        public Fault? Fault => Volatile.Read(ref _fault);

        /// <summary>Keeps the first fault: later ones are consequences of it.</summary>
        public void SetFault(Fault fault) => Interlocked.CompareExchange(ref _fault, fault, null);

        public TimeSpan KeepAliveInterval(DeepgramOptions options) => TimeSpan.FromSeconds(options.KeepAliveSeconds);

        public void MarkActivity(TimeProvider time) => Volatile.Write(ref _lastActivity, time.GetTimestamp());

        public TimeSpan IdleFor(TimeProvider time)
        {
            var last = Volatile.Read(ref _lastActivity);
            return last == 0 ? TimeSpan.MaxValue : time.GetElapsedTime(last);
        }

        public void Hold(Outbound item, int audioBudget, DeepgramSession session)
        {
            switch (item.Kind)
            {
                case OutboundKind.Audio:
                    _pendingAudio.Enqueue(item);
                    _pendingAudioBytes += item.Length;
                    while (_pendingAudioBytes > audioBudget && _pendingAudio.TryDequeue(out var old))
                    {
                        _pendingAudioBytes -= old.Length;
                        if (_droppedBytes == 0)
                        {
                            DeepgramLog.CallerAudioDropped(session._logger, session._context.CallId, old.Length, $"waiting for SettingsApplied; only the newest {PreSettingsBufferMs} ms are kept");
                        }

                        _droppedBytes += old.Length;
                        session._metrics.Dropped("caller", "before_settings", old.Length);
                        old.Release();
                    }

                    break;
                case OutboundKind.Control:
                    _pendingControl.Enqueue(item);
                    break;
                default:
                    item.Release();
                    break;
            }
        }

        public async ValueTask FlushPendingAsync(DeepgramSession session, ArrayBufferWriter<byte> json, CancellationToken token)
        {
            while (_pendingControl.TryDequeue(out var control))
            {
                await session.SendAsync(this, control, json, token).ConfigureAwait(false);
            }

            while (_pendingAudio.TryDequeue(out var audio))
            {
                _pendingAudioBytes -= audio.Length;
                await session.SendAsync(this, audio, json, token).ConfigureAwait(false);
            }
        }

        public void ReleasePending()
        {
            while (_pendingAudio.TryDequeue(out var audio))
            {
                audio.Release();
            }

            while (_pendingControl.TryDequeue(out var control))
            {
                control.Release();
            }

            _pendingAudioBytes = 0;
        }
    }
}

/// <summary>The content of our answer to a client-side function call: we expose no tools.</summary>
internal sealed record FunctionErrorContent(string Error);

/// <summary>Serializer of <see cref="FunctionErrorContent"/>.</summary>
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
[System.Text.Json.Serialization.JsonSerializable(typeof(FunctionErrorContent))]
internal sealed partial class DeepgramToolJsonContext : System.Text.Json.Serialization.JsonSerializerContext;

/// <summary>What an outbound item is.</summary>
internal enum OutboundKind
{
    Audio,
    KeepAlive,
    Control,
    Wake,
}

/// <summary>One item for the send loop: pooled caller audio, or a control message.</summary>
internal readonly struct Outbound
{
    private Outbound(OutboundKind kind, byte[]? buffer, int length, object? message, int generation)
    {
        Kind = kind;
        Buffer = buffer;
        Length = length;
        Message = message;
        Generation = generation;
    }

    public static Outbound Wake => new(OutboundKind.Wake, null, 0, null, 0);

    public OutboundKind Kind { get; }

    /// <summary>Rented from <see cref="ArrayPool{T}.Shared"/>; returned by <see cref="Release"/>.</summary>
    public byte[]? Buffer { get; }

    public int Length { get; }

    public object? Message { get; }

    /// <summary>The connection a control message belongs to; 0 for any.</summary>
    public int Generation { get; }

    public static Outbound Audio(byte[] buffer, int length) => new(OutboundKind.Audio, buffer, length, null, 0);

    public static Outbound KeepAliveFor(int generation) => new(OutboundKind.KeepAlive, null, 0, null, generation);

    public static Outbound Control(object message, int generation) => new(OutboundKind.Control, null, 0, message, generation);

    public void Release()
    {
        if (Buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
        }
    }
}

/// <summary>The session could not start (or was refused); <see cref="Kind"/> says why. Never carries the API key.</summary>
public sealed class DeepgramSessionException(ProviderErrorKind kind, string code, string message) : Exception(message)
{
    /// <summary>The error kind.</summary>
    public ProviderErrorKind Kind { get; } = kind;

    /// <summary>The Deepgram error code, or ours (<c>HTTP_401</c>, <c>CONNECT_TIMEOUT</c>, <c>MISSING_API_KEY</c> ...).</summary>
    public string Code { get; } = code;
}
