using System.Buffers;
using System.Net.Http;
using System.Net.WebSockets;

namespace AiAgent.Grains.Providers.Transport;

/// <summary>
/// One provider socket: the upgrade (with timeout and HTTP status capture), the receive loop, the send loop (the
/// socket's only writer, draining the transport's <see cref="ProviderOutbox"/>), the keep-alive ticker, the watch on a
/// server gone silent mid-answer, and the close.
/// Its <see cref="ProviderTransport"/> decides when to open, replace or retire it.
/// </summary>
internal sealed class ProviderConnection : IDisposable
{
    /// <summary>The largest text message accepted.</summary>
    public const int MaxTextMessageBytes = 1 << 20;

    /// <summary>The largest binary message accepted.</summary>
    public const int MaxBinaryMessageBytes = 8 << 20;

    private static long s_ids;

    private readonly ProviderTransport _transport;
    private readonly IProviderProtocol _protocol;
    private readonly TimeProvider _time;
    private readonly ClientWebSocket _socket = new();
    private readonly CancellationTokenSource _budget;
    private readonly CancellationTokenSource _cancellation;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _current = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly PreReadyBuffer _held;
    private readonly KeepAliveTicker _keepAlive;
    private readonly ServerSilenceWatchdog _silence;
    private Task _receive = Task.CompletedTask;
    private ConnectionFault? _fault;
    private volatile ProviderConnection? _successor;
    private volatile bool _isCurrent;
    private volatile bool _isReady;

    internal ProviderConnection(ProviderTransport transport, ConnectPurpose purpose, int attempt, CancellationToken lifetime)
    {
        _transport = transport;
        _protocol = transport.Protocol;
        _time = transport.Time;
        Purpose = purpose;
        Attempt = attempt;
        _budget = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _time);
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(lifetime, _budget.Token);
        _held = new PreReadyBuffer(_protocol.PreReadyAudioBudgetBytes, transport.AudioDropped);
        _keepAlive = new KeepAliveTicker(_time, _protocol.KeepAliveInterval);
        _silence = new ServerSilenceWatchdog(_time, _protocol.ServerSilenceLimit);
        _protocol.ConfigureHandshake(_socket.Options);
        _socket.Options.CollectHttpResponseDetails = true;
        // Only a rollover's successor waits to carry the call; any other connection carries it from its first message.
        if (purpose != ConnectPurpose.Rollover)
        {
            BecomeCurrent();
        }
    }

    /// <summary>Unique in the process; tags control messages that only make sense on this socket.</summary>
    public long Id { get; } = Interlocked.Increment(ref s_ids);

    /// <summary>Why it was opened.</summary>
    public ConnectPurpose Purpose { get; }

    /// <summary>Consecutive failures before this attempt (0 for the first connection and for a rollover).</summary>
    public int Attempt { get; }

    /// <summary>True while this connection carries the call (false for a rollover successor being prepared).</summary>
    public bool IsCurrent => _isCurrent;

    /// <summary>True once the protocol's handshake completed (<see cref="MarkReady"/>).</summary>
    public bool IsReady => _isReady;

    /// <summary>Completes at <see cref="MarkReady"/>.</summary>
    public Task Ready => _ready.Task;

    /// <summary>When it became ready (a <see cref="TimeProvider"/> timestamp): a session cap counts from it.</summary>
    public long ReadyAt { get; private set; }

    /// <summary>The first fault; later ones are consequences of it.</summary>
    public ConnectionFault? Fault => Volatile.Read(ref _fault);

    /// <summary>The protocol's own per-connection state (request id, items re-seeded ...).</summary>
    public object? ProtocolState { get; set; }

    /// <summary>Ends with the connection.</summary>
    public CancellationToken Cancellation => _cancellation.Token;

    internal ProviderConnection? Successor
    {
        get => _successor;
        set => _successor = value;
    }

    /// <summary>Why a rollover opened this connection ("quiet moment", "forced before the cap").</summary>
    internal string? RolloverReason { get; init; }

    /// <summary>Cancels the connection's loops.</summary>
    internal void Cancel() => _cancellation.Cancel();

    /// <summary>The receive loop; ends with the socket.</summary>
    internal Task Receiving => _receive;

    /// <summary>The handshake completed: held items go out, the connect budget is cleared, the session's age starts.</summary>
    public void MarkReady()
    {
        if (IsReady)
        {
            return;
        }

        _budget.CancelAfter(Timeout.InfiniteTimeSpan);
        _keepAlive.MarkActivity();
        ReadyAt = _time.GetTimestamp();
        _isReady = true;
        _ready.TrySetResult();
        _transport.OnReady(this);
        if (IsCurrent)
        {
            // Wake the send loop so what was held before the handshake goes out now, not with the next caller frame.
            _transport.Outbox.Wake();
        }
    }

    /// <summary>Records why the connection ends (the first call wins); the caller then returns false from <see cref="IProviderProtocol.OnTextAsync"/>.</summary>
    public void Fail(ConnectionFault fault) => Interlocked.CompareExchange(ref _fault, fault, null);

    /// <summary>Queues a control message that belongs to this socket only (dropped if another socket carries the call by then).</summary>
    public bool SendControl(ReadOnlyMemory<byte> utf8Json) => _transport.Outbox.EnqueueControl(OutboundItem.ForControl(utf8Json, Id));

    /// <summary>
    /// Sends a frame outside the send loop: only during the handshake (from <see cref="IProviderProtocol.OnConnectedAsync"/>
    /// or <see cref="IProviderProtocol.OnTextAsync"/> before <see cref="MarkReady"/>), while the send loop writes nothing.
    /// </summary>
    public ValueTask SendDirectAsync(ReadOnlyMemory<byte> message, WebSocketMessageType type, CancellationToken cancellationToken) =>
        _socket.SendAsync(message, type, endOfMessage: true, cancellationToken);

    /// <summary>Upgrades, then lets the protocol send its settings and starts receiving; null when connected, else why not.</summary>
    internal async Task<ConnectionFault?> OpenAsync(CancellationToken lifetime)
    {
        _budget.CancelAfter(_protocol.ConnectTimeout);
        try
        {
            await _socket.ConnectAsync(_protocol.Endpoint, Cancellation).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException && !lifetime.IsCancellationRequested)
        {
            var timedOut = ex is OperationCanceledException;
            return _protocol.OnUpgradeFailed(new UpgradeFailure((int)_socket.HttpStatusCode, timedOut, timedOut ? null : ex));
        }

        _receive = ReceiveLoopAsync();
        await _protocol.OnConnectedAsync(this, Cancellation).ConfigureAwait(false);
        return null;
    }

    /// <summary>This connection carries the call from now on (the first one at once, a successor at handover).</summary>
    internal void BecomeCurrent()
    {
        _isCurrent = true;
        _current.TrySetResult();
    }

    /// <summary>Runs the send and keep-alive loops (and the rollover planner) until the socket ends.</summary>
    internal async Task RunAsync(Func<ProviderConnection, Task> planRollover)
    {
        try
        {
            var send = SendLoopAsync();
            var keepAlive = KeepAliveLoopAsync();
            var silence = _silence.RunAsync(() => IsCurrent && IsReady && _protocol.AnswerDue, OnServerSilent, Cancellation);
            var rollover = planRollover(this);
            await Task.WhenAny(_receive, send).ConfigureAwait(false);
            if (Successor is not null && send.IsCompleted)
            {
                // Rolling over: the send loop sent our close; let the server answer it so the old socket ends cleanly.
                await _receive.WaitAsync(_transport.Options.RolloverCloseTimeout, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await _cancellation.CancelAsync().ConfigureAwait(false);
            _socket.Abort();
            await Task.WhenAll(_receive, send, keepAlive, silence, rollover).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            Fail(new ConnectionFault(ProviderErrorKind.Disconnected, "CONNECTION_LOST", ex.Message));
        }
        finally
        {
            _held.Clear();
        }
    }

    /// <summary>Ends the socket at once (a successor that is not needed, or a failed open).</summary>
    internal async Task AbortAsync()
    {
        await _cancellation.CancelAsync().ConfigureAwait(false);
        _socket.Abort();
        await _receive.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _socket.Abort();
        _socket.Dispose();
        _cancellation.Dispose();
        _budget.Dispose();
        _held.Clear();
    }

    private async Task ReceiveLoopAsync()
    {
        var token = Cancellation;
        using var message = new InboundMessageBuffer();
        try
        {
            while (true)
            {
                var result = await message.ReceiveAsync(_socket, token).ConfigureAwait(false);
                _silence.MarkReceived();
                switch (result)
                {
                    case InboundResult.TooLarge:
                        Fail(new ConnectionFault(ProviderErrorKind.Server, "MESSAGE_TOO_LARGE", $"a server message exceeded {message.Limit} bytes"));
                        return;
                    case InboundResult.Close:
                        if (Successor is not null)
                        {
                            // The server answered the close of a rollover: the call goes on over the successor.
                            return;
                        }

                        if (!IsCurrent)
                        {
                            Fail(new ConnectionFault(ProviderErrorKind.Disconnected, "CONNECTION_CLOSED", $"the server closed the new connection ({(int?)_socket.CloseStatus ?? 0})"));
                            return;
                        }

                        var description = _socket.CloseStatusDescription;
                        var detail = $"the server closed the connection ({(int?)_socket.CloseStatus ?? 0}{(string.IsNullOrEmpty(description) ? string.Empty : " " + description)})";
                        var closed = new ConnectionFault(ProviderErrorKind.Disconnected, "CONNECTION_CLOSED", detail);
                        if (!_transport.IsStopping)
                        {
                            _transport.Observer.OnConnectionLost(this, closed, null);
                        }

                        Fail(closed);
                        return;
                    case InboundResult.Text:
                        if (!await _protocol.OnTextAsync(this, message.PayloadMemory, token).ConfigureAwait(false))
                        {
                            return;
                        }

                        break;
                    default:
                        _protocol.OnBinary(this, message.Payload);
                        break;
                }

                if (!IsCurrent && IsReady)
                {
                    // A prepared successor: what the server sends next belongs to the call, read once it is handed over.
                    await _current.Task.WaitAsync(token).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            if (!IsReady && !_transport.IsStopping && !_transport.IsLifetimeOver)
            {
                Fail(new ConnectionFault(ProviderErrorKind.Disconnected, "CONNECT_TIMEOUT",
                    $"no {_protocol.ReadyMessageName} within {(int)_protocol.ConnectTimeout.TotalMilliseconds} ms"));
            }
        }
        catch (WebSocketException ex)
        {
            var lost = new ConnectionFault(ProviderErrorKind.Disconnected, "CONNECTION_LOST", "the connection dropped: " + ex.Message);
            if (!_transport.IsStopping && IsCurrent)
            {
                _transport.Observer.OnConnectionLost(this, lost with { Description = ex.Message }, ex);
            }

            Fail(lost);
        }
    }

    private void OnServerSilent()
    {
        var silent = new ConnectionFault(ProviderErrorKind.Disconnected, "SERVER_SILENT",
            $"the server sent nothing for {(int)_silence.Limit.TotalMilliseconds} ms while an answer was due");
        if (!_transport.IsStopping)
        {
            _transport.Observer.OnConnectionLost(this, silent, null);
        }

        // The first fault wins, so the loops ending on the cancellation below report this one.
        Fail(silent);
        _cancellation.Cancel();
    }

    private async Task SendLoopAsync()
    {
        var token = Cancellation;
        var outbox = _transport.Outbox;
        var scratch = new ArrayBufferWriter<byte>(512);
        try
        {
            while (Successor is null && await outbox.WaitToReadAsync(token).ConfigureAwait(false))
            {
                if (IsReady && _held.HasItems)
                {
                    await FlushHeldAsync(scratch, token).ConfigureAwait(false);
                }

                // On a rollover stop taking items: what is queued now goes to the successor.
                while (Successor is null && outbox.TryDequeue(out var item))
                {
                    if (!IsReady && item.Kind != OutboundKind.Wake)
                    {
                        // Nothing but the settings before the handshake completes: hold it, audio bounded.
                        _held.Hold(item);
                        continue;
                    }

                    if (IsReady && _held.HasItems)
                    {
                        await FlushHeldAsync(scratch, token).ConfigureAwait(false);
                    }

                    await SendAsync(item, scratch, token).ConfigureAwait(false);
                }
            }

            if (Successor is not null)
            {
                // Rolled over: close this socket politely; RunAsync waits briefly for the server's answer.
                await CloseOutputAsync("session rollover", token).ConfigureAwait(false);
                return;
            }

            // The queue completed: the session is stopping. Close politely; the receive loop sees the server's answer.
            await CloseOutputAsync("call ended", token).ConfigureAwait(false);
            await Task.Delay(_transport.Options.CloseHandshakeTimeout, _time, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (WebSocketException ex)
        {
            Fail(new ConnectionFault(ProviderErrorKind.Disconnected, "CONNECTION_LOST", "sending failed: " + ex.Message));
        }
    }

    private async Task CloseOutputAsync(string reason, CancellationToken token)
    {
        if (_socket.State == WebSocketState.Open)
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, token).ConfigureAwait(false);
        }
    }

    private async ValueTask FlushHeldAsync(ArrayBufferWriter<byte> scratch, CancellationToken token)
    {
        while (_held.TryTake(out var item))
        {
            await SendAsync(item, scratch, token).ConfigureAwait(false);
        }
    }

    private async ValueTask SendAsync(OutboundItem item, ArrayBufferWriter<byte> scratch, CancellationToken token)
    {
        try
        {
            switch (item.Kind)
            {
                case OutboundKind.Audio:
                    scratch.ResetWrittenCount();
                    var frame = _protocol.EncodeAudio(item.Audio, scratch, out var type);
                    await _socket.SendAsync(frame, type, endOfMessage: true, token).ConfigureAwait(false);
                    _keepAlive.MarkActivity();
                    break;
                case OutboundKind.KeepAlive when item.ConnectionId == Id:
                    // Audio may have resumed since the ticker queued it: a keep-alive only while nothing else flows.
                    if (_keepAlive.IsIdle)
                    {
                        await _socket.SendAsync(_protocol.KeepAliveMessage, WebSocketMessageType.Text, endOfMessage: true, token).ConfigureAwait(false);
                        _keepAlive.MarkActivity();
                        _transport.Observer.OnKeepAliveSent();
                    }

                    _keepAlive.Taken();
                    break;
                case OutboundKind.Control when item.ConnectionId == 0 || item.ConnectionId == Id:
                    await _socket.SendAsync(item.ControlPayload, WebSocketMessageType.Text, endOfMessage: true, token).ConfigureAwait(false);
                    break;
            }
        }
        finally
        {
            item.Release();
        }
    }

    private Task KeepAliveLoopAsync() =>
        _protocol.KeepAliveMessage.IsEmpty
            ? Task.CompletedTask
            : _keepAlive.RunAsync(() => IsReady, () => _transport.Outbox.EnqueueControl(OutboundItem.ForKeepAlive(Id)), Cancellation);
}
