using System.Buffers;

namespace AiAgent.Grains.Providers.Transport;

/// <summary>What an outbound item is.</summary>
internal enum OutboundKind
{
    /// <summary>Caller audio (pooled); the protocol frames it at send time.</summary>
    Audio,

    /// <summary>A serialized control message (text frame); never dropped by the queue.</summary>
    Control,

    /// <summary>Queued by the keep-alive ticker; sent only if the socket is still idle.</summary>
    KeepAlive,

    /// <summary>Wakes the send loop (ready, handover, rollover) without sending anything.</summary>
    Wake,
}

/// <summary>One item for a connection's send loop.</summary>
internal readonly struct OutboundItem
{
    private OutboundItem(OutboundKind kind, byte[]? buffer, int length, ReadOnlyMemory<byte> control, long connectionId)
    {
        Kind = kind;
        Buffer = buffer;
        Length = length;
        ControlPayload = control;
        ConnectionId = connectionId;
    }

    /// <summary>Wakes the send loop.</summary>
    public static OutboundItem Wake => new(OutboundKind.Wake, null, 0, default, 0);

    /// <summary>The kind.</summary>
    public OutboundKind Kind { get; }

    /// <summary>Audio rented from <see cref="ArrayPool{T}.Shared"/>; returned by <see cref="Release"/>.</summary>
    public byte[]? Buffer { get; }

    /// <summary>Bytes of <see cref="Buffer"/> in use.</summary>
    public int Length { get; }

    /// <summary>The UTF-8 text frame of a control message.</summary>
    public ReadOnlyMemory<byte> ControlPayload { get; }

    /// <summary>The connection a control message or keep-alive belongs to; 0 for whichever connection carries the call.</summary>
    public long ConnectionId { get; }

    /// <summary>The audio bytes.</summary>
    public ReadOnlyMemory<byte> Audio => Buffer.AsMemory(0, Length);

    /// <summary>Copies <paramref name="audio"/> into a pooled buffer.</summary>
    public static OutboundItem ForAudio(ReadOnlySpan<byte> audio)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(audio.Length);
        audio.CopyTo(buffer);
        return new(OutboundKind.Audio, buffer, audio.Length, default, 0);
    }

    /// <summary>A control text frame, for any connection (0) or only for <paramref name="connectionId"/>.</summary>
    public static OutboundItem ForControl(ReadOnlyMemory<byte> utf8Json, long connectionId = 0) =>
        new(OutboundKind.Control, null, 0, utf8Json, connectionId);

    /// <summary>A keep-alive request for <paramref name="connectionId"/>.</summary>
    public static OutboundItem ForKeepAlive(long connectionId) => new(OutboundKind.KeepAlive, null, 0, default, connectionId);

    /// <summary>Returns pooled audio.</summary>
    public void Release()
    {
        if (Buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(Buffer);
        }
    }
}
