using System.Net;
using System.Net.Sockets;

namespace AiAgent.Grains.Tests;

/// <summary>
/// A loopback TCP forwarder in front of redis-server that, once armed, lets the next script call (the Redis
/// provider's write: <c>EVAL</c>/<c>EVALSHA</c>) through, swallows its reply and resets the connection: the write has
/// run in Redis, the client only sees the connection drop mid-command.
/// </summary>
internal sealed class RedisReplyDropper : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _open = [];
    private readonly Task _accepting;
    private int _armed;
    private volatile bool _dropped;

    public RedisReplyDropper(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync();
    }

    public int Port { get; }

    /// <summary>A script reply was swallowed and its connection reset.</summary>
    public bool Dropped => _dropped;

    /// <summary>Arms the forwarder for the next script call on any connection.</summary>
    public void DropNextWriteReply() => Volatile.Write(ref _armed, 1);

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        await _stop.CancelAsync();
        lock (_open)
        {
            foreach (var socket in _open)
            {
                socket.Dispose();
            }
        }

        await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            await server.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
            lock (_open)
            {
                _open.Add(client);
                _open.Add(server);
            }

            var pair = new Pair(client, server);
            _ = ToServerAsync(pair);
            _ = ToClientAsync(pair);
        }
    }

    private async Task ToServerAsync(Pair pair)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await pair.Client.ReceiveAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                if (buffer.AsSpan(0, read).IndexOf("EVAL"u8) >= 0 && Interlocked.CompareExchange(ref _armed, 0, 1) == 1)
                {
                    pair.ScriptSent = true;
                }

                await pair.Server.SendAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task ToClientAsync(Pair pair)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await pair.Server.ReceiveAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                if (pair.ScriptSent && buffer.AsSpan(0, read).IndexOf(":0\r\n"u8) >= 0)
                {
                    // The script ran (it answered 0: written). Reset instead of forwarding the answer.
                    pair.Client.LingerState = new LingerOption(true, 0);
                    pair.Client.Dispose();
                    pair.Server.Dispose();
                    _dropped = true;
                    return;
                }

                await pair.Client.SendAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private sealed class Pair(Socket client, Socket server)
    {
        public Socket Client { get; } = client;

        public Socket Server { get; } = server;

        public volatile bool ScriptSent;
    }
}
