using System.Buffers;
using System.Buffers.Binary;

namespace AiAgent.CallSim.Protocol;

/// <summary>
/// Writes and parses AudioSocket frames. Written from docs/protocols/audiosocket.md, independently of the gateway's codec,
/// so that a shared misreading of the protocol cannot hide in both.
/// </summary>
/// <remarks>
/// <code>
///  byte 0      bytes 1..2                 bytes 3 .. 3+len-1
/// +--------+----------------------+-------------------------------+
/// |  kind  | payload length (u16) |  payload (len bytes)          |
/// | uint8  | BIG-endian (network) |  audio: s16 LITTLE-endian     |
/// +--------+----------------------+-------------------------------+
/// </code>
/// </remarks>
public static class AudioSocketCodec
{
    /// <summary>Kind byte plus the big-endian payload length.</summary>
    public const int HeaderSize = 3;

    /// <summary>The length field is a u16.</summary>
    public const int MaxPayload = ushort.MaxValue;

    /// <summary>Bytes of a UUID frame.</summary>
    public const int UuidFrameSize = HeaderSize + 16;

    /// <summary>Bytes of a DTMF frame.</summary>
    public const int DtmfFrameSize = HeaderSize + 1;

    /// <summary>Writes a 3-byte header; returns <see cref="HeaderSize"/>.</summary>
    public static int WriteHeader(Span<byte> destination, byte kind, int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payloadLength, MaxPayload);
        destination[0] = kind;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)payloadLength);
        return HeaderSize;
    }

    /// <summary>
    /// Writes the UUID frame Asterisk sends first. The 16 bytes are RFC 4122 order, as <c>uuid_parse</c> yields,
    /// so the server's decoded string equals the UUID the dialplan passed (docs/protocols/audiosocket.md#uuid-byte-order).
    /// </summary>
    public static int WriteUuid(Span<byte> destination, Guid callId)
    {
        WriteHeader(destination, AudioSocketKind.Uuid, 16);
        if (!callId.TryWriteBytes(destination.Slice(HeaderSize, 16), bigEndian: true, out _))
        {
            throw new ArgumentException("destination too small for a UUID frame", nameof(destination));
        }

        return UuidFrameSize;
    }

    /// <summary>Writes a DTMF frame for <paramref name="digit"/> (one of <c>0-9 * # A-D</c>).</summary>
    public static int WriteDtmf(Span<byte> destination, char digit)
    {
        if (!IsDtmfDigit(digit))
        {
            throw new ArgumentOutOfRangeException(nameof(digit), digit, "DTMF digits are 0-9, *, # and A-D");
        }

        WriteHeader(destination, AudioSocketKind.Dtmf, 1);
        destination[HeaderSize] = (byte)digit;
        return DtmfFrameSize;
    }

    /// <summary>Writes the hangup frame <c>00 00 00</c>.</summary>
    public static int WriteHangup(Span<byte> destination) => WriteHeader(destination, AudioSocketKind.Hangup, 0);

    /// <summary>True for the DTMF characters Asterisk forwards: <c>0-9 * # A-D</c>.</summary>
    public static bool IsDtmfDigit(char digit) => digit is >= '0' and <= '9' or '*' or '#' or >= 'A' and <= 'D';

    /// <summary>
    /// Takes one complete frame off the front of <paramref name="buffer"/>. Returns false, leaving the buffer as it
    /// was, when the header or the payload is still incomplete (a TCP read may end anywhere, even inside the header).
    /// The payload is a slice of the caller's buffer: use it before the buffer is advanced.
    /// </summary>
    public static bool TryReadFrame(ref ReadOnlySequence<byte> buffer, out byte kind, out ReadOnlySequence<byte> payload)
    {
        kind = 0;
        payload = default;
        if (buffer.Length < HeaderSize)
        {
            return false;
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        buffer.Slice(0, HeaderSize).CopyTo(header);
        int length = BinaryPrimitives.ReadUInt16BigEndian(header[1..]);
        if (buffer.Length < HeaderSize + length)
        {
            return false;
        }

        kind = header[0];
        payload = buffer.Slice(HeaderSize, length);
        buffer = buffer.Slice(payload.End);
        return true;
    }
}
