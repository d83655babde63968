using System.Buffers;
using System.Buffers.Binary;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// Pure, synchronous AudioSocket frame parser: no I/O, so it is tested with byte arrays split at every offset.
/// </summary>
/// <remarks>
/// <code>
///  byte 0      bytes 1..2                 bytes 3 .. 3+len-1
/// +--------+----------------------+-------------------------------+
/// |  kind  | payload length (u16) |  payload (len bytes)          |
/// | uint8  | BIG-endian (network) |  meaning depends on kind      |
/// +--------+----------------------+-------------------------------+
///   0x00 hangup (len 0)     0x01 uuid (16 bytes, RFC 4122)    0x03 dtmf (1 ASCII byte)
///   0x10-0x18 slin 8/12/16/24/32/44.1/48/96/192 kHz, s16le    0xFF error (optional code byte)
/// </code>
/// The header is validated as soon as its 3 bytes are in: an unknown kind, a length above the configured
/// maximum or a length impossible for the kind throws before we wait for a body that may never come.
/// </remarks>
public sealed class AudioSocketFrameReader
{
    /// <summary>Bytes in a frame header.</summary>
    public const int HeaderLength = 3;

    /// <summary>Bytes in a UUID payload.</summary>
    public const int UuidLength = 16;

    /// <summary>The protocol's largest payload (the length field is 16 bits).</summary>
    public const int ProtocolMaxPayload = ushort.MaxValue;

    private readonly int _maxPayload;
    private readonly bool _passUnknownKinds;

    /// <summary>Creates a reader that rejects payloads longer than <paramref name="maxPayload"/> bytes.</summary>
    /// <param name="maxPayload">The largest payload accepted.</param>
    /// <param name="passUnknownKinds">Return frames of undefined kinds (for the caller to skip) instead of throwing.</param>
    public AudioSocketFrameReader(int maxPayload = ProtocolMaxPayload, bool passUnknownKinds = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPayload, UuidLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPayload, ProtocolMaxPayload);
        _maxPayload = maxPayload;
        _passUnknownKinds = passUnknownKinds;
    }

    /// <summary>
    /// Reads one frame from the start of <paramref name="buffer"/> and slices it off. Returns false, leaving
    /// <paramref name="buffer"/> untouched, when the frame is not complete yet.
    /// </summary>
    /// <exception cref="AudioSocketProtocolException">The header is invalid.</exception>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, out AudioSocketFrame frame)
    {
        frame = default;
        if (buffer.Length < HeaderLength)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        if (buffer.FirstSpan.Length >= HeaderLength)
        {
            buffer.FirstSpan[..HeaderLength].CopyTo(header);
        }
        else
        {
            // The header straddles two segments (split across TCP reads).
            buffer.Slice(0, HeaderLength).CopyTo(header);
        }

        var kind = (AudioSocketKind)header[0];
        var length = BinaryPrimitives.ReadUInt16BigEndian(header[1..]);
        Validate(kind, length);

        if (buffer.Length < HeaderLength + length)
        {
            return false;
        }

        frame = new AudioSocketFrame(kind, buffer.Slice(HeaderLength, length));
        buffer = buffer.Slice(HeaderLength + length);
        return true;
    }

    private void Validate(AudioSocketKind kind, int length)
    {
        if (!kind.IsDefined() && !_passUnknownKinds)
        {
            throw Fail(AudioSocketProtocolError.UnknownKind, kind, length, $"unknown frame kind 0x{(byte)kind:X2}");
        }

        if (length > _maxPayload)
        {
            throw Fail(AudioSocketProtocolError.Oversized, kind, length, $"payload of {length} bytes exceeds audiosocket.max_frame_bytes ({_maxPayload})");
        }

        switch (kind)
        {
            case AudioSocketKind.Uuid when length != UuidLength:
                throw Fail(AudioSocketProtocolError.BadUuidLength, kind, length, $"UUID frame of {length} bytes (expected {UuidLength})");
            case AudioSocketKind.Dtmf when length != 1:
                throw Fail(AudioSocketProtocolError.BadDtmfLength, kind, length, $"DTMF frame of {length} bytes (expected 1)");
            case >= AudioSocketKind.Slin8 and <= AudioSocketKind.Slin192 when length == 0:
                throw Fail(AudioSocketProtocolError.EmptyAudio, kind, length, "audio frame with no payload (Asterisk treats one as an invalid message too)");
            case >= AudioSocketKind.Slin8 and <= AudioSocketKind.Slin192 when (length & 1) != 0:
                throw Fail(AudioSocketProtocolError.OddAudioLength, kind, length, $"audio frame of odd length {length} (16-bit samples)");
        }
    }

    private static AudioSocketProtocolException Fail(AudioSocketProtocolError error, AudioSocketKind kind, int length, string message) =>
        new(error, (byte)kind, length, message);
}
