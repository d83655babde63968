using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using AiAgent.Gateway.AudioSocket;

namespace AiAgent.Gateway.Tests;

/// <summary>
/// A TCP client that behaves like Asterisk's AudioSocket side, and checks everything the gateway sends back the
/// way Asterisk would: only audio kinds and 0x00, never zero-length or odd-length audio.
/// </summary>
public sealed class FakeAsterisk : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private FakeAsterisk(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
    }

    public static async Task<FakeAsterisk> ConnectAsync(IPEndPoint endPoint, int? receiveBufferSize = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferSize is { } size)
        {
            // Set before connecting so the advertised window stays small.
            socket.ReceiveBufferSize = size;
        }

        await socket.ConnectAsync(endPoint);
        return new FakeAsterisk(socket);
    }

    public Task SendUuidAsync(Guid callId) => SendAsync(w => AudioSocketFrameWriter.WriteUuid(w, callId));

    public Task SendAudioAsync(byte[] pcm, AudioSocketKind kind = AudioSocketKind.Slin8) => SendAsync(w => AudioSocketFrameWriter.WriteAudio(w, kind, pcm));

    public Task SendDtmfAsync(char digit) => SendAsync(w => AudioSocketFrameWriter.WriteDtmf(w, digit));

    public async Task SendRawAsync(byte[] bytes) => await _stream.WriteAsync(bytes);

    /// <summary>Half-close: FIN, but keep reading (as a peer shutting down its send side).</summary>
    public void ShutdownSend() => _socket.Shutdown(SocketShutdown.Send);

    /// <summary>Reads the next frame, or null at EOF. Asserts what Asterisk requires of the server.</summary>
    public async Task<(AudioSocketKind Kind, byte[] Payload)?> ReadFrameAsync(int? expectedAudioBytes = 320)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var header = new byte[3];
        var got = await _stream.ReadAtLeastAsync(header, 3, throwOnEndOfStream: false, cts.Token);
        if (got == 0)
        {
            return null;
        }

        Assert.Equal(3, got);
        var kind = (AudioSocketKind)header[0];
        var length = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(1));
        Assert.True(kind == AudioSocketKind.Hangup || kind.IsAudio(), $"gateway sent kind 0x{header[0]:X2}; Asterisk tears the session down on it");
        if (kind.IsAudio())
        {
            Assert.True(length > 0 && length % 2 == 0, $"gateway sent an audio frame of {length} bytes");
            if (expectedAudioBytes is { } expected)
            {
                Assert.Equal(expected, length);
            }
        }

        var payload = new byte[length];
        await _stream.ReadExactlyAsync(payload, cts.Token);
        return (kind, payload);
    }

    /// <summary>Reads until the server closes: asserts a hangup frame (when <paramref name="expectHangup"/>) then EOF.</summary>
    public async Task<List<byte[]>> ReadUntilClosedAsync(bool expectHangup, int? expectedAudioBytes = 320)
    {
        var audio = new List<byte[]>();
        var sawHangup = false;
        while (await ReadFrameAsync(expectedAudioBytes) is { } frame)
        {
            Assert.False(sawHangup, "gateway sent a frame after its hangup frame");
            if (frame.Kind == AudioSocketKind.Hangup)
            {
                Assert.Empty(frame.Payload);
                sawHangup = true;
            }
            else
            {
                audio.Add(frame.Payload);
            }
        }

        Assert.Equal(expectHangup, sawHangup);
        return audio;
    }

    /// <summary>Reads audio frames until <paramref name="until"/> says stop; returns them (fails on a hangup or EOF first).</summary>
    public async Task<List<byte[]>> ReadAudioUntilAsync(
        Func<List<byte[]>, bool> until, int expectedAudioBytes = 320, AudioSocketKind expectedKind = AudioSocketKind.Slin8)
    {
        var frames = new List<byte[]>();
        while (!until(frames))
        {
            var frame = await ReadFrameAsync(expectedAudioBytes);
            Assert.True(frame is not null, "gateway closed the connection");
            Assert.True(frame.Value.Kind.IsAudio(), "gateway hung up");
            Assert.Equal(expectedKind, frame.Value.Kind);
            frames.Add(frame.Value.Payload);
        }

        return frames;
    }

    private async Task SendAsync(Action<IBufferWriter<byte>> write)
    {
        var w = new ArrayBufferWriter<byte>();
        write(w);
        await _stream.WriteAsync(w.WrittenMemory);
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
