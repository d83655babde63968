using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AiAgent.CallSim.Tests;

/// <summary>
/// A tiny AudioSocket server on 127.0.0.1 (port 0) for the tests. It parses with its own ReadExactly loop, not with
/// CallSim's codec, so the two check each other. Each connection records every frame it receives.
/// </summary>
internal sealed class FakeAudioSocketServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ServerConnection> _connections = [];
    private readonly TaskCompletionSource<ServerConnection> _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<ServerConnection, Task>? _onUuid;
    private readonly bool _echo;
    private readonly bool _closeOnEof;
    private readonly Task _acceptLoop;

    /// <param name="onUuid">Runs once the UUID frame has arrived (e.g. to send frames to the caller).</param>
    /// <param name="echo">Send every audio frame straight back.</param>
    /// <param name="closeOnEof">Close our side when the caller closes (a server that does not leaks CLOSE-WAIT sockets).</param>
    public FakeAudioSocketServer(Func<ServerConnection, Task>? onUuid = null, bool echo = false, bool closeOnEof = true)
    {
        _onUuid = onUuid;
        _echo = echo;
        _closeOnEof = closeOnEof;
        _listener.Start();
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>The first connection, once accepted.</summary>
    public Task<ServerConnection> FirstConnection => _first.Task;

    public IReadOnlyList<ServerConnection> Connections
    {
        get
        {
            lock (_connections)
            {
                return [.. _connections];
            }
        }
    }

    private async Task AcceptLoopAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                client.NoDelay = true;
                var connection = new ServerConnection(client, _onUuid, _echo, _closeOnEof, _stop.Token);
                lock (_connections)
                {
                    _connections.Add(connection);
                }

                _first.TrySetResult(connection);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _acceptLoop;
        foreach (var connection in Connections)
        {
            connection.Dispose();
        }

        _stop.Dispose();
    }
}

/// <summary>A frame as the fake server received it, with its arrival time (Stopwatch ticks).</summary>
internal sealed record ReceivedFrame(byte Kind, byte[] Payload, long ArrivedAt);

/// <summary>One accepted connection: reads and records frames until EOF.</summary>
internal sealed class ServerConnection : IDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;
    private readonly List<ReceivedFrame> _frames = [];
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly TaskCompletionSource _eof = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ServerConnection(TcpClient client, Func<ServerConnection, Task>? onUuid, bool echo, bool closeOnEof, CancellationToken stop)
    {
        _client = client;
        _stream = client.GetStream();
        _ = ReadLoopAsync(onUuid, echo, closeOnEof, stop);
    }

    /// <summary>Completes when the caller's EOF (or a reset) has been read.</summary>
    public Task Eof => _eof.Task;

    public IReadOnlyList<ReceivedFrame> Frames
    {
        get
        {
            lock (_frames)
            {
                return [.. _frames];
            }
        }
    }

    /// <summary>Writes raw bytes in one send.</summary>
    public async Task SendRawAsync(byte[] bytes)
    {
        await _writeLock.WaitAsync();
        try
        {
            await _stream.WriteAsync(bytes);
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Writes one frame in one send.</summary>
    public Task SendFrameAsync(byte kind, ReadOnlySpan<byte> payload) => SendRawAsync(Frame(kind, payload));

    /// <summary>
    /// Ends our side with a FIN (half-close) while the read loop keeps draining, so the caller sees a clean EOF and
    /// never a reset for frames we left unread.
    /// </summary>
    public void Close() => _client.Client.Shutdown(SocketShutdown.Send);

    public static byte[] Frame(byte kind, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[3 + payload.Length];
        frame[0] = kind;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), (ushort)payload.Length);
        payload.CopyTo(frame.AsSpan(3));
        return frame;
    }

    private async Task ReadLoopAsync(Func<ServerConnection, Task>? onUuid, bool echo, bool closeOnEof, CancellationToken stop)
    {
        var header = new byte[3];
        try
        {
            while (true)
            {
                if (await _stream.ReadAtLeastAsync(header, 3, throwOnEndOfStream: false, stop) < 3)
                {
                    break;
                }

                var payload = new byte[BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(1))];
                await _stream.ReadExactlyAsync(payload, stop);
                lock (_frames)
                {
                    _frames.Add(new ReceivedFrame(header[0], payload, Stopwatch.GetTimestamp()));
                }

                if (header[0] == 0x01 && onUuid is not null)
                {
                    _ = onUuid(this);
                }
                else if (echo && header[0] >= 0x10 && header[0] <= 0x18)
                {
                    await SendFrameAsync(header[0], payload);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Reset or stopped: also the end of the caller's stream.
        }

        _eof.TrySetResult();
        if (closeOnEof)
        {
            _client.Close();
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _writeLock.Dispose();
    }
}
