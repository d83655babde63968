using System.Buffers;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// One parsed AudioSocket frame. <see cref="Payload"/> is a slice of the connection's pipe: use or copy it
/// before the reader advances, never keep it.
/// </summary>
public readonly struct AudioSocketFrame(AudioSocketKind kind, ReadOnlySequence<byte> payload)
{
    /// <summary>The frame's kind byte.</summary>
    public AudioSocketKind Kind { get; } = kind;

    /// <summary>The payload (may be empty).</summary>
    public ReadOnlySequence<byte> Payload { get; } = payload;

    /// <summary>The payload length in bytes.</summary>
    public int Length => (int)Payload.Length;

    /// <summary>The call id of a <see cref="AudioSocketKind.Uuid"/> frame, decoded big-endian as RFC 4122 (equals the id the dialplan passed, e.g. <c>${UUID()}</c>).</summary>
    public Guid ReadUuid()
    {
        if (Kind != AudioSocketKind.Uuid || Payload.Length != AudioSocketFrameReader.UuidLength)
        {
            throw new InvalidOperationException("not a 16-byte UUID frame");
        }

        Span<byte> bytes = stackalloc byte[AudioSocketFrameReader.UuidLength];
        Payload.CopyTo(bytes);
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The ASCII digit of a <see cref="AudioSocketKind.Dtmf"/> frame.</summary>
    public char ReadDtmfDigit()
    {
        if (Kind != AudioSocketKind.Dtmf || Payload.Length != 1)
        {
            throw new InvalidOperationException("not a 1-byte DTMF frame");
        }

        return (char)Payload.FirstSpan[0];
    }

    /// <summary>The code byte of an <see cref="AudioSocketKind.Error"/> frame, or null when it carries none.</summary>
    public byte? ReadErrorCode() => Kind == AudioSocketKind.Error && !Payload.IsEmpty ? Payload.FirstSpan[0] : null;
}
