using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using AiAgent.CallSim.Protocol;

namespace AiAgent.Asterisk.Tests;

/// <summary>A stand-in AudioSocket server on loopback TCP: records the frames the emulator's external media sends, sends frames back.</summary>
internal sealed class LoopbackGateway : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Channel<(byte Kind, byte[] Payload)> _frames = Channel.CreateUnbounded<(byte, byte[])>();
    private TcpClient? _client;
    private Task _reader = Task.CompletedTask;

    public LoopbackGateway()
    {
        _listener.Start();
        Accepted = AcceptAsync();
    }

    public string HostPort => $"127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    public Task Accepted { get; }

    /// <summary>True once the emulator closed the connection.</summary>
    public bool Closed => _reader.IsCompleted && Accepted.IsCompleted;

    public async Task<(byte Kind, byte[] Payload)> NextFrameAsync()
    {
        using var timeout = new CancellationTokenSource(Waits.Long);
        return await _frames.Reader.ReadAsync(timeout.Token);
    }

    public async Task SendAsync(byte kind, byte[] payload)
    {
        await Accepted;
        var frame = new byte[AudioSocketCodec.HeaderSize + payload.Length];
        AudioSocketCodec.WriteHeader(frame, kind, payload.Length);
        payload.CopyTo(frame, AudioSocketCodec.HeaderSize);
        await _client!.GetStream().WriteAsync(frame);
    }

    /// <summary>The gateway dies: the connection is reset (RST, no FIN, no hangup frame).</summary>
    public async Task ResetAsync()
    {
        await Accepted;
        _client!.Client.LingerState = new LingerOption(true, 0);
        _client.Client.Close();
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _client?.Dispose();
        try
        {
            await _reader;
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
        }

        _listener.Dispose();
    }

    private async Task AcceptAsync()
    {
        _client = await _listener.AcceptTcpClientAsync();
        _reader = ReadAsync(_client.GetStream());
    }

    private async Task ReadAsync(NetworkStream stream)
    {
        var reader = PipeReader.Create(stream);
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync();
                var buffer = read.Buffer;
                while (AudioSocketCodec.TryReadFrame(ref buffer, out var kind, out var payload))
                {
                    _frames.Writer.TryWrite((kind, payload.ToArray()));
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException)
        {
        }
        finally
        {
            _frames.Writer.TryComplete();
        }
    }
}
