using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace AiAgent.AriMode.Tests;

/// <summary>
/// A loopback AudioSocket server standing in for the gateway: takes each external-media connection's UUID frame,
/// reads its audio, and can end a session the way the gateway does (00 00 00, then close).
/// </summary>
internal sealed class StandInGateway : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<Guid, TcpClient> _sessions = new();
    private readonly ConcurrentDictionary<Guid, long> _frames = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public StandInGateway()
    {
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string HostPort => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Audio frames received for <paramref name="callId"/>.</summary>
    public long FramesFrom(Guid callId) => _frames.GetValueOrDefault(callId);

    /// <summary>Sends the hangup frame and closes, as the gateway ends a session for a disposition.</summary>
    public async Task EndAsync(Guid callId)
    {
        var client = _sessions[callId];
        await client.GetStream().WriteAsync(new byte[] { 0, 0, 0 });
        client.Close();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ReadAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ReadAsync(TcpClient client)
    {
        var stream = client.GetStream();
        var header = new byte[3];
        var callId = Guid.Empty;
        try
        {
            while (true)
            {
                await stream.ReadExactlyAsync(header, _stop.Token);
                var payload = new byte[(header[1] << 8) | header[2]];
                await stream.ReadExactlyAsync(payload, _stop.Token);
                if (header[0] == 0x01)
                {
                    callId = new Guid(payload, bigEndian: true);
                    _sessions[callId] = client;
                }
                else if (header[0] is >= 0x10 and <= 0x18)
                {
                    _frames.AddOrUpdate(callId, 1, (_, n) => n + 1);
                }
                else if (header[0] == 0x00)
                {
                    break;
                }
            }
        }
        catch (Exception exception) when (exception is IOException or EndOfStreamException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        foreach (var client in _sessions.Values)
        {
            client.Dispose();
        }

        _stop.Dispose();
    }
}
