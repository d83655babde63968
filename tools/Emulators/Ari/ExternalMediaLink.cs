using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Threading.Channels;
using AiAgent.CallSim.Protocol;

namespace AiAgent.Emulators.Ari;

/// <summary>
/// The AudioSocket leg of an external-media channel: Asterisk's side of the TCP connection to the gateway, written with
/// CallSim's codec. Sends the UUID frame, then, while the channel shares a bridge with a caller, that caller's audio
/// every 20 ms (pulled by the leg's own timer, or pushed by a caller with its own clock, <see cref="TrySend"/>); what the
/// gateway sends is handed to the emulator as what the caller hears.
/// </summary>
internal sealed class ExternalMediaLink : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly CancellationTokenSource _stop = new();

    // Frames pushed by a caller's clock; a stalled socket loses the oldest rather than delaying the newest.
    private readonly Channel<byte[]> _pushed = Channel.CreateBounded<byte[]>(
        new BoundedChannelOptions(50) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    // The pulling timer and the pushing loop share the socket (only one of them has a caller to send, but never both at once).
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private Task _reader = Task.CompletedTask;
    private Task _writer = Task.CompletedTask;
    private Task _pusher = Task.CompletedTask;
    private long _framesSent;
    private long _framesReceived;

    private ExternalMediaLink(TcpClient tcp, byte kind, int frameBytes)
    {
        _tcp = tcp;
        Kind = kind;
        FrameBytes = frameBytes;
    }

    /// <summary>The audio kind on the wire (0x10 for slin, 0x12 for slin16 …).</summary>
    public byte Kind { get; }

    /// <summary>Bytes of one 20 ms frame.</summary>
    public int FrameBytes { get; }

    public long FramesSent => Interlocked.Read(ref _framesSent);

    public long FramesReceived => Interlocked.Read(ref _framesReceived);

    /// <summary>The AudioSocket kind and 20 ms frame size for an ARI <c>format</c>; null when not supported here.</summary>
    public static (byte Kind, int FrameBytes)? ForFormat(string format) => format switch
    {
        "slin" => (AudioSocketKind.Audio, 320),
        "slin12" => (AudioSocketKind.AudioSlin12, 480),
        "slin16" => (AudioSocketKind.AudioSlin16, 640),
        "slin24" => (AudioSocketKind.AudioSlin24, 960),
        "slin32" => (AudioSocketKind.AudioSlin32, 1280),
        "slin48" => (AudioSocketKind.AudioSlin48, 1920),
        "ulaw" or "alaw" => (AudioSocketKind.Audio, 160),
        _ => null,
    };

    /// <summary>Connects (the TCP connect happens when the channel is requested); throws when the host is unreachable.</summary>
    public static async Task<ExternalMediaLink> ConnectAsync(string host, int port, byte kind, int frameBytes, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient { NoDelay = true };
        try
        {
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            await tcp.ConnectAsync(host, port, limit.Token).ConfigureAwait(false);
            return new ExternalMediaLink(tcp, kind, frameBytes);
        }
        catch
        {
            tcp.Dispose();
            throw;
        }
    }

    /// <summary>Sends the UUID frame and starts streaming.</summary>
    /// <param name="uuid">The <c>data</c> of the request.</param>
    /// <param name="nextCallerFrame">Fills one frame of caller audio; false while no caller shares the bridge (nothing is sent).</param>
    /// <param name="fromGateway">Audio from the gateway.</param>
    /// <param name="ended">The gateway sent <c>00 00 00</c> or closed (not called when we closed).</param>
    public async Task StartAsync(Guid uuid, Func<Memory<byte>, bool> nextCallerFrame, Action<ReadOnlySequence<byte>> fromGateway, Action<string> ended)
    {
        var stream = _tcp.GetStream();
        var uuidFrame = new byte[AudioSocketCodec.UuidFrameSize];
        AudioSocketCodec.WriteUuid(uuidFrame, uuid);
        await stream.WriteAsync(uuidFrame, _stop.Token).ConfigureAwait(false);
        _reader = ReadAsync(stream, fromGateway, ended);
        _writer = WriteAsync(stream, nextCallerFrame);
        _pusher = PushAsync(stream);
    }

    /// <summary>
    /// Queues one frame of a caller's audio (<see cref="FrameBytes"/> long) to be sent now: the caller's clock, not the
    /// leg's, paces it. False when the size is not this leg's or the leg is closed.
    /// </summary>
    public bool TrySend(ReadOnlySpan<byte> payload)
    {
        if (payload.Length != FrameBytes)
        {
            return false;
        }

        var frame = new byte[AudioSocketCodec.HeaderSize + FrameBytes];
        AudioSocketCodec.WriteHeader(frame, Kind, FrameBytes);
        payload.CopyTo(frame.AsSpan(AudioSocketCodec.HeaderSize));
        return _pushed.Writer.TryWrite(frame);
    }

    public async ValueTask DisposeAsync()
    {
        _pushed.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        _tcp.Dispose();
        await Task.WhenAll(_reader, _writer, _pusher).ConfigureAwait(false);
        _stop.Dispose();
        _writeGate.Dispose();
    }

    private async Task ReadAsync(NetworkStream stream, Action<ReadOnlySequence<byte>> fromGateway, Action<string> ended)
    {
        var reader = PipeReader.Create(stream);
        var reason = "closed";
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(_stop.Token).ConfigureAwait(false);
                var buffer = read.Buffer;
                while (AudioSocketCodec.TryReadFrame(ref buffer, out var kind, out var payload))
                {
                    if (kind == AudioSocketKind.Hangup)
                    {
                        reason = "hangup frame";
                        goto End;
                    }

                    if (!AudioSocketKind.IsAudio(kind) || payload.Length == 0)
                    {
                        // Asterisk tears the session down on these (docs/protocols/asterisk.md#when-the-server-ends-the-session).
                        reason = $"invalid frame {AudioSocketKind.Describe(kind)} length {payload.Length}";
                        goto End;
                    }

                    Interlocked.Increment(ref _framesReceived);
                    fromGateway(payload);
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }
        }

    End:
        await reader.CompleteAsync().ConfigureAwait(false);
        if (!_stop.IsCancellationRequested)
        {
            ended(reason);
        }
    }

    private async Task WriteAsync(NetworkStream stream, Func<Memory<byte>, bool> nextCallerFrame)
    {
        var frame = new byte[AudioSocketCodec.HeaderSize + FrameBytes];
        AudioSocketCodec.WriteHeader(frame, Kind, FrameBytes);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                if (!nextCallerFrame(frame.AsMemory(AudioSocketCodec.HeaderSize)))
                {
                    continue;
                }

                await SendAsync(stream, frame).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Closed by us or by the gateway; the reader reports the latter.
        }
    }

    private async Task PushAsync(NetworkStream stream)
    {
        try
        {
            await foreach (var frame in _pushed.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                await SendAsync(stream, frame).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // Closed by us or by the gateway; the reader reports the latter.
        }
    }

    private async Task SendAsync(NetworkStream stream, byte[] frame)
    {
        await _writeGate.WaitAsync(_stop.Token).ConfigureAwait(false);
        try
        {
            await stream.WriteAsync(frame, _stop.Token).ConfigureAwait(false);
            Interlocked.Increment(ref _framesSent);
        }
        finally
        {
            _writeGate.Release();
        }
    }
}
