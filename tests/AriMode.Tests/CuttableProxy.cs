using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace AiAgent.AriMode.Tests;

/// <summary>
/// A loopback TCP relay in front of a gateway, so a test can make that gateway vanish for Asterisk without touching the
/// gateway: <see cref="KillAsync"/> resets every connection on Asterisk's side and refuses new ones, while the gateway's
/// side stays open and silent (a dead gateway process tells no one anything).
/// </summary>
internal sealed class CuttableProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _targetPort;
    private readonly ConcurrentBag<(TcpClient Asterisk, TcpClient Gateway)> _pairs = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public CuttableProxy(int targetPort)
    {
        _targetPort = targetPort;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public string HostPort => $"127.0.0.1:{Port}";

    /// <summary>Connections relayed so far.</summary>
    public int Accepted => _pairs.Count;

    /// <summary>The gateway dies as far as Asterisk can tell: RST on every connection, nothing listening any more.</summary>
    public async Task KillAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        foreach (var (asterisk, _) in _pairs)
        {
            asterisk.Client.LingerState = new LingerOption(true, 0);
            asterisk.Client.Close();
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var asterisk = await _listener.AcceptTcpClientAsync(_stop.Token);
                var gateway = new TcpClient { NoDelay = true };
                await gateway.ConnectAsync(IPAddress.Loopback, _targetPort, _stop.Token);
                _pairs.Add((asterisk, gateway));
                _ = RelayAsync(asterisk.GetStream(), gateway.GetStream());
                _ = RelayAsync(gateway.GetStream(), asterisk.GetStream());
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task RelayAsync(NetworkStream from, NetworkStream to)
    {
        var buffer = new byte[4096];
        try
        {
            while (await from.ReadAsync(buffer, _stop.Token) is var read and > 0)
            {
                await to.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }

            to.Socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception exception) when (exception is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Killed (the gateway side then stays open and silent) or closed by either end.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        _listener.Stop();
        await _accepting;
        foreach (var (asterisk, gateway) in _pairs)
        {
            asterisk.Dispose();
            gateway.Dispose();
        }

        _stop.Dispose();
    }
}
