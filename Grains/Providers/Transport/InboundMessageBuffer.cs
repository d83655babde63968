using System.Buffers;
using System.Net.WebSockets;

namespace AiAgent.Grains.Providers.Transport;

/// <summary>What one receive produced.</summary>
internal enum InboundResult
{
    Text,
    Binary,
    Close,
    TooLarge,
}

/// <summary>Assembles one whole WebSocket message in a pooled buffer that grows up to the message limits.</summary>
internal sealed class InboundMessageBuffer : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _count;

    /// <summary>The last message (valid until the next receive).</summary>
    public ReadOnlySpan<byte> Payload => _buffer.AsSpan(0, _count);

    /// <summary>The last message as memory (valid until the next receive).</summary>
    public ReadOnlyMemory<byte> PayloadMemory => _buffer.AsMemory(0, _count);

    /// <summary>The limit the last <see cref="InboundResult.TooLarge"/> exceeded.</summary>
    public int Limit { get; private set; }

    /// <summary>Receives frames until a message is complete.</summary>
    public async ValueTask<InboundResult> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        _count = 0;
        while (true)
        {
            if (_count == _buffer.Length)
            {
                if (_buffer.Length >= ProviderConnection.MaxBinaryMessageBytes)
                {
                    Limit = ProviderConnection.MaxBinaryMessageBytes;
                    return InboundResult.TooLarge;
                }

                var bigger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                _buffer.AsSpan(0, _count).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            var result = await socket.ReceiveAsync(_buffer.AsMemory(_count), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return InboundResult.Close;
            }

            _count += result.Count;
            if (!result.EndOfMessage)
            {
                continue;
            }

            if (result.MessageType != WebSocketMessageType.Text)
            {
                return InboundResult.Binary;
            }

            if (_count > ProviderConnection.MaxTextMessageBytes)
            {
                Limit = ProviderConnection.MaxTextMessageBytes;
                return InboundResult.TooLarge;
            }

            return InboundResult.Text;
        }
    }

    /// <inheritdoc/>
    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}
