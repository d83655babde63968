using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using AiAgent.Gateway.AudioSocket;
using AiAgent.Gateway.Configuration;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiAgent.Gateway.Hosting;

/// <summary>
/// Accepts AudioSocket connections on <c>audiosocket.host:port</c> through Kestrel's socket transport
/// (<see cref="IConnectionListenerFactory"/>) and runs each with <see cref="AudioSocketConnectionHandler"/>. After
/// start-up <see cref="EndPoint"/> holds the bound port (tests listen on port 0).
/// </summary>
/// <remarks>
/// Not a Kestrel endpoint, because a draining gateway must stop accepting new connections while its calls go on, and
/// Kestrel can only stop an endpoint together with its connections. Here the drain unbinds the listener
/// (<see cref="StopAcceptingAsync"/>): a new connection is refused, which a load balancer or Kubernetes Service
/// answers by choosing another gateway, and the connections already accepted keep running until the drain ends them.
/// </remarks>
public sealed partial class AudioSocketListener : IHostedService, IAsyncDisposable
{
    /// <summary>How long stopping waits for connections the drain has not closed before aborting them.</summary>
    private static readonly TimeSpan s_closeWait = TimeSpan.FromSeconds(5);

    private readonly IConnectionListenerFactory[] _factories;
    private readonly AudioSocketConnectionHandler _handler;
    private readonly AudioSocketOptions _options;
    private readonly ILogger<AudioSocketListener> _logger;
    private readonly ConcurrentDictionary<ConnectionContext, Task> _connections = new();
    private readonly List<IConnectionListener> _listeners = [];
    private readonly List<Task> _acceptLoops = [];
    private readonly Lock _stopLock = new();
    private Task? _stopAccepting;

    /// <summary>Creates the listener; the drain stops it accepting.</summary>
    public AudioSocketListener(
        IEnumerable<IConnectionListenerFactory> factories, AudioSocketConnectionHandler handler, IOptions<AudioSocketOptions> options,
        GatewayDrain drain, ILogger<AudioSocketListener> logger)
    {
        ArgumentNullException.ThrowIfNull(drain);
        _factories = [.. factories];
        _handler = handler;
        _options = options.Value;
        _logger = logger;
        drain.OnDrainStopAccepting(StopAcceptingAsync);
    }

    /// <summary>The endpoint as bound (the real port once started); the first one for <c>localhost</c>.</summary>
    public IPEndPoint? EndPoint { get; private set; }

    /// <summary>Open connections.</summary>
    public int ConnectionCount => _connections.Count;

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (first, alsoLoopbackV6) = FirstEndPoint(_options);
        var bound = await BindAsync(first, cancellationToken);
        EndPoint = bound;
        if (alsoLoopbackV6 && Socket.OSSupportsIPv6)
        {
            // localhost means both loopbacks, as Kestrel binds it; IPv6 only where the host has it.
            try
            {
                await BindAsync(new IPEndPoint(IPAddress.IPv6Loopback, bound.Port), cancellationToken);
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                // No IPv6 loopback here: 127.0.0.1 serves localhost alone.
            }
        }
    }

    /// <summary>Stops accepting new connections (they are refused); the ones accepted go on. Idempotent.</summary>
    public Task StopAcceptingAsync()
    {
        lock (_stopLock)
        {
            return _stopAccepting ??= UnbindAllAsync();
        }
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await StopAcceptingAsync();
        var open = _connections.Values.ToArray();
        if (open.Length > 0)
        {
            // The drain has ended every call it could; whatever is still open is aborted.
            try
            {
                await Task.WhenAll(open).WaitAsync(s_closeWait, cancellationToken);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                LogAborting(_connections.Count);
                foreach (var connection in _connections.Keys)
                {
                    connection.Abort(new ConnectionAbortedException("the gateway is stopping"));
                }
            }
        }

        await DisposeAsync();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.DisposeAsync();
        }

        _listeners.Clear();
    }

    private async Task<IPEndPoint> BindAsync(IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        var factory = _factories.FirstOrDefault(f => f is not IConnectionListenerFactorySelector selector || selector.CanBind(endPoint))
            ?? throw new InvalidOperationException("no connection transport can bind an IP endpoint (is Kestrel registered?)");
        IConnectionListener listener;
        try
        {
            listener = await BindOrAnyIPv4Async(factory, endPoint, cancellationToken);
        }
        catch (AddressInUseException ex)
        {
            // Kestrel's message names no address; the operator needs the setting.
            throw new AddressInUseException($"audiosocket.port: {endPoint} is already in use", ex);
        }

        _listeners.Add(listener);
        _acceptLoops.Add(AcceptLoopAsync(listener));
        return (IPEndPoint)listener.EndPoint;
    }

    private static async Task<IConnectionListener> BindOrAnyIPv4Async(
        IConnectionListenerFactory factory, IPEndPoint endPoint, CancellationToken cancellationToken)
    {
        try
        {
            return await factory.BindAsync(endPoint, cancellationToken);
        }
        catch (Exception ex) when (endPoint.Address.Equals(IPAddress.IPv6Any) && ex is SocketException or IOException)
        {
            // No IPv6 on this host: all IPv4 addresses instead, as Kestrel's ListenAnyIP does.
            return await factory.BindAsync(new IPEndPoint(IPAddress.Any, endPoint.Port), cancellationToken);
        }
    }

    private static (IPEndPoint EndPoint, bool AlsoLoopbackV6) FirstEndPoint(AudioSocketOptions options) => options.Host switch
    {
        "*" => (new IPEndPoint(IPAddress.IPv6Any, options.Port), false),
        _ when string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase) => (new IPEndPoint(IPAddress.Loopback, options.Port), true),
        _ => (new IPEndPoint(IPAddress.Parse(options.Host), options.Port), false),
    };

    private async Task AcceptLoopAsync(IConnectionListener listener)
    {
        // Let StartAsync return before the first accept blocks.
        await Task.Yield();
        while (true)
        {
            ConnectionContext? connection;
            try
            {
                connection = await listener.AcceptAsync();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
            {
                return;
            }
            catch (Exception ex)
            {
                // One failed accept (a reset before it completed) must not stop the listener.
                LogAcceptFailed(ex);
                continue;
            }

            if (connection is null)
            {
                return; // unbound
            }

            // Runs synchronously up to the session's first await, so a connection accepted before the unbind has
            // joined the drain by the time the unbind completes.
            _connections[connection] = RunAsync(connection);
        }
    }

    private async Task RunAsync(ConnectionContext connection)
    {
        try
        {
            // The session catches and logs whatever happens on its connection (event 2000).
            await _handler.OnConnectedAsync(connection);
        }
        finally
        {
            await connection.DisposeAsync();
            _connections.TryRemove(connection, out _);
        }
    }

    private async Task UnbindAllAsync()
    {
        foreach (var listener in _listeners)
        {
            await listener.UnbindAsync();
        }

        await Task.WhenAll(_acceptLoops);
        LogStoppedAccepting(_connections.Count);
    }

    [LoggerMessage(EventId = 2376, Level = LogLevel.Information, Message = "AudioSocket listener stopped accepting connections; {Connections} open connections go on")]
    private partial void LogStoppedAccepting(int connections);

    [LoggerMessage(EventId = 2377, Level = LogLevel.Warning, Message = "Aborting {Connections} AudioSocket connections still open as the gateway stops")]
    private partial void LogAborting(int connections);

    [LoggerMessage(EventId = 2378, Level = LogLevel.Warning, Message = "Accepting an AudioSocket connection failed")]
    private partial void LogAcceptFailed(Exception ex);
}
