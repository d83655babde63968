using System.Net.Http;
using System.Net.WebSockets;
using Polly;

namespace AiAgent.Grains.Providers.Transport;

/// <summary>
/// One logical provider socket, kept alive for a call: a supervisor opens a <see cref="ProviderConnection"/>,
/// reconnects after a loss with the one <see cref="ReconnectBackoff"/> policy, and hands the call over to a fresh
/// connection before the service's session cap (<see cref="RolloverPlanner"/>). Caller audio and control messages
/// go through one bounded <see cref="Outbox"/> that outlives the connections. A session holding several sockets
/// (a cascaded STT → LLM → TTS call) holds one transport per socket, each with its own protocol.
/// </summary>
/// <remarks>Nothing here runs on the grain scheduler. The protocol sees inbound messages; the observer hears the
/// life of the connections and turns it into the session's events.</remarks>
internal sealed class ProviderTransport : IAsyncDisposable
{
    private readonly CancellationTokenSource _lifetime = new();
    private readonly TaskCompletionSource<ConnectionFault?> _firstReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ResiliencePipeline<ConnectionOutcome> _atStart;
    private readonly ResiliencePipeline<ConnectionOutcome> _afterLoss;
    private readonly RolloverPlanner _rollover;
    private Task? _supervisor;
    private volatile ProviderConnection? _current;
    private volatile bool _everReady;
    private int _stopping;
    private int _ended;
    private int _droppedQueueFull;
    private int _droppedBeforeReady;

    public ProviderTransport(IProviderProtocol protocol, ITransportObserver observer, ProviderTransportOptions options, TimeProvider time)
    {
        Protocol = protocol;
        Observer = observer;
        Options = options;
        Time = time;
        Outbox = new ProviderOutbox(bytes => AudioDropped(AudioDropReason.QueueFull, bytes));
        _rollover = new RolloverPlanner(this);
        // At start the first attempt plus max retries; after a loss the immediate reconnect plus max - 1 retries.
        _atStart = ReconnectBackoff.Create<ConnectionOutcome>(options.MaxReconnectAttempts, ShouldRetry, time, options.Randomizer);
        _afterLoss = ReconnectBackoff.Create<ConnectionOutcome>(options.MaxReconnectAttempts - 1, ShouldRetry, time, options.Randomizer);
    }

    /// <summary>The socket's wire protocol.</summary>
    public IProviderProtocol Protocol { get; }

    /// <summary>Hears the life of the connections.</summary>
    public ITransportObserver Observer { get; }

    /// <summary>The session's policies.</summary>
    public ProviderTransportOptions Options { get; }

    /// <summary>The clock of every delay, timeout and keep-alive.</summary>
    public TimeProvider Time { get; }

    /// <summary>The one send queue.</summary>
    public ProviderOutbox Outbox { get; }

    /// <summary>The connection carrying the call, if any.</summary>
    public ProviderConnection? Current => _current;

    /// <summary>True once <see cref="StopAsync"/> was called.</summary>
    public bool IsStopping => Volatile.Read(ref _stopping) == 1;

    /// <summary>True once <see cref="Start"/> was called.</summary>
    public bool IsStarted => _supervisor is not null;

    internal bool IsLifetimeOver => _lifetime.IsCancellationRequested;

    internal CancellationToken Lifetime => _lifetime.Token;

    /// <summary>Starts the supervisor; <see cref="FirstReady"/> tells how the first connection went.</summary>
    public void Start()
    {
        if (_supervisor is not null)
        {
            throw new InvalidOperationException("the transport has already been started");
        }

        _supervisor = Task.Run(() => SuperviseAsync(_lifetime.Token), CancellationToken.None);
    }

    /// <summary>Null once the first connection is ready; the last fault if the transport ended before that.</summary>
    public Task<ConnectionFault?> FirstReady => _firstReady.Task;

    /// <summary>Queues caller audio (copied); never waits. False once the transport is ending.</summary>
    public bool SendAudio(ReadOnlySpan<byte> audio) => Outbox.EnqueueAudio(audio);

    /// <summary>Queues a control text frame for whichever connection carries the call; never dropped for room.</summary>
    public bool SendControl(ReadOnlyMemory<byte> utf8Json) => Outbox.EnqueueControl(OutboundItem.ForControl(utf8Json));

    /// <summary>
    /// Closes politely (the send loop closes the socket once the queue drains), aborting after
    /// <see cref="ProviderTransportOptions.StopTimeout"/>. A transport that was never started ends here, so the
    /// observer hears <see cref="ITransportObserver.OnEnded"/> (once) whether or not a supervisor ran.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var firstStop = Interlocked.Exchange(ref _stopping, 1) == 0;
        Outbox.Complete();
        if (_supervisor is null)
        {
            if (firstStop)
            {
                Observer.OnEnded(new TransportEnd(TransportEndKind.Stopped, null));
            }

            return;
        }

        if (_current is not { IsReady: true })
        {
            // Connecting or waiting to reconnect: nothing to close politely.
            await _lifetime.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            await _supervisor.WaitAsync(Options.StopTimeout, Time, cancellationToken).ConfigureAwait(false);
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

            Outbox.Drain();
            _lifetime.Dispose();
        }
    }

    /// <summary>Called by a connection that became ready.</summary>
    internal void OnReady(ProviderConnection connection)
    {
        if (connection.IsCurrent)
        {
            _everReady = true;
            _firstReady.TrySetResult(null);
        }
    }

    internal void AudioDropped(AudioDropReason reason, int bytes)
    {
        if (reason == AudioDropReason.QueueFull && IsStopping)
        {
            return;
        }

        ref var count = ref reason == AudioDropReason.QueueFull ? ref _droppedQueueFull : ref _droppedBeforeReady;
        Observer.OnCallerAudioDropped(reason, bytes, Interlocked.Increment(ref count) == 1);
    }

    private bool ShouldRetry(ConnectionOutcome outcome) =>
        !IsStopping && outcome is { Successor: null, WasReady: false, Fault.Final: false };

    private async Task SuperviseAsync(CancellationToken lifetime)
    {
        ConnectionFault? last = null;
        ProviderConnection? handover = null;
        try
        {
            while (true)
            {
                if (IsStopping)
                {
                    await DiscardAsync(handover).ConfigureAwait(false);
                    End(TransportEndKind.Stopped, null);
                    return;
                }

                var outcome = handover is { } next ? await RunHandoverAsync(next, lifetime).ConfigureAwait(false) : await ConnectWithRetriesAsync(lifetime).ConfigureAwait(false);
                handover = null;
                if (outcome.Successor is { } successor)
                {
                    // A planned rollover: the next connection is ready; it is no fault.
                    handover = successor;
                    continue;
                }

                if (outcome.Fault is not { } fault)
                {
                    End(TransportEndKind.Stopped, null);
                    return;
                }

                last = fault;
                if (fault.Final)
                {
                    End(TransportEndKind.Failed, fault);
                    return;
                }

                if (IsStopping)
                {
                    End(TransportEndKind.Stopped, null);
                    return;
                }

                if (!outcome.WasReady || Options.MaxReconnectAttempts == 0)
                {
                    End(TransportEndKind.ReconnectsExhausted, fault);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (lifetime.IsCancellationRequested)
        {
            await DiscardAsync(handover).ConfigureAwait(false);
            End(TransportEndKind.Stopped, null);
        }
        catch (Exception ex)
        {
            // A bug must end this call cleanly, never the process or other calls.
            await DiscardAsync(handover).ConfigureAwait(false);
            var fault = new ConnectionFault(ProviderErrorKind.Other, "INTERNAL", ex.Message, Final: true);
            last = fault;
            Observer.OnConnectionLost(null, fault with { Description = ex.GetType().Name }, ex);
            Observer.OnFault(fault);
            End(TransportEndKind.Failed, fault);
        }
        finally
        {
            _firstReady.TrySetResult(last ?? new ConnectionFault(ProviderErrorKind.Other, "STOPPED", "the session stopped before it started"));
        }
    }

    private Task<ConnectionOutcome> ConnectWithRetriesAsync(CancellationToken lifetime)
    {
        var reconnect = _everReady;
        var attempt = reconnect ? 1 : 0;
        return (reconnect ? _afterLoss : _atStart).ExecuteAsync(
            async token => await ConnectAndRunAsync(reconnect ? ConnectPurpose.Reconnect : ConnectPurpose.First, attempt++, token).ConfigureAwait(false),
            lifetime).AsTask();
    }

    private async Task<ConnectionOutcome> ConnectAndRunAsync(ConnectPurpose purpose, int attempt, CancellationToken lifetime)
    {
        Observer.OnConnecting(purpose, attempt);
        using var connection = new ProviderConnection(this, purpose, attempt, lifetime);
        _current = connection;
        ConnectionFault? failed;
        try
        {
            failed = await connection.OpenAsync(lifetime).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is WebSocketException or HttpRequestException or OperationCanceledException)
        {
            if (lifetime.IsCancellationRequested || IsStopping)
            {
                _current = null;
                await connection.AbortAsync().ConfigureAwait(false);
                return ConnectionOutcome.Stopped;
            }

            failed = new ConnectionFault(ProviderErrorKind.Disconnected, "CONNECTION_LOST", ex.Message);
        }

        if (failed is not null)
        {
            _current = null;
            await connection.AbortAsync().ConfigureAwait(false);
            Observer.OnFault(failed);
            return new ConnectionOutcome(failed, WasReady: false, Successor: null);
        }

        return await RunCurrentAsync(connection, lifetime).ConfigureAwait(false);
    }

    private async Task<ConnectionOutcome> RunHandoverAsync(ProviderConnection successor, CancellationToken lifetime)
    {
        using (successor)
        {
            Observer.OnHandover(successor, successor.RolloverReason ?? "rollover");
            return await RunCurrentAsync(successor, lifetime).ConfigureAwait(false);
        }
    }

    private async Task<ConnectionOutcome> RunCurrentAsync(ProviderConnection connection, CancellationToken lifetime)
    {
        _current = connection;
        connection.BecomeCurrent();
        if (connection.IsReady)
        {
            // A prepared successor: caller audio queued during the switch goes out now.
            Outbox.Wake();
        }

        try
        {
            await connection.RunAsync(_rollover.PlanAsync).ConfigureAwait(false);
        }
        finally
        {
            _current = null;
        }

        if (connection.Successor is { } successor)
        {
            if (lifetime.IsCancellationRequested || IsStopping)
            {
                await DiscardAsync(successor).ConfigureAwait(false);
                return ConnectionOutcome.Stopped;
            }

            // Handed over even when the old connection ended by itself meanwhile (e.g. closed at the cap): the new
            // one is configured already, so no reconnect is needed.
            return new ConnectionOutcome(null, WasReady: true, successor);
        }

        var fault = connection.Fault;
        if (fault is null || IsStopping && fault.Kind == ProviderErrorKind.Disconnected)
        {
            if (lifetime.IsCancellationRequested || IsStopping)
            {
                return ConnectionOutcome.Stopped;
            }

            fault = new ConnectionFault(ProviderErrorKind.Disconnected, "CONNECTION_CLOSED", "the connection closed");
        }

        Observer.OnFault(fault);
        return new ConnectionOutcome(fault, connection.IsReady, Successor: null);
    }

    /// <summary>Ends a prepared successor that will not carry the call.</summary>
    private static async Task DiscardAsync(ProviderConnection? connection)
    {
        if (connection is not null)
        {
            await connection.AbortAsync().ConfigureAwait(false);
            connection.Dispose();
        }
    }

    private void End(TransportEndKind kind, ConnectionFault? fault)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1)
        {
            return;
        }

        Outbox.Complete();
        Observer.OnEnded(new TransportEnd(kind, fault));
    }

    /// <summary>How one connection (or one failed attempt) ended.</summary>
    private sealed record ConnectionOutcome(ConnectionFault? Fault, bool WasReady, ProviderConnection? Successor)
    {
        public static readonly ConnectionOutcome Stopped = new(null, false, null);
    }
}
