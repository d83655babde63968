using System.Net;
using System.Net.Sockets;

namespace AiAgent.AriMode.Tests;

/// <summary>An AudioSocket address that accepts every connection and closes it at once (a gateway refusing every call).</summary>
/// <param name="port">The loopback port to listen on (0: any), e.g. one reserved in the cluster's configuration.</param>
internal sealed class DroppingGateway(int port = 0) : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, port);
    private readonly CancellationTokenSource _stop = new();
    private Task _accepting = Task.CompletedTask;
    private int _accepted;

    /// <summary>Starts listening.</summary>
    public DroppingGateway Start()
    {
        _listener.Start();
        _accepting = AcceptAsync();
        return this;
    }

    public string HostPort => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Connections accepted (and closed) so far.</summary>
    public int Accepted => Volatile.Read(ref _accepted);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _accepted);
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Dispose();
        await _accepting;
        _stop.Dispose();
    }
}
