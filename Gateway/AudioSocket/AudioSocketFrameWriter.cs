using System.Buffers;
using System.Buffers.Binary;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// Builds AudioSocket frames (layout: see <see cref="AudioSocketFrameReader"/>) header and payload in one
/// buffer, so each frame leaves in one send and older Asterisk never sees a split header.
/// </summary>
/// <remarks>
/// The gateway itself only ever sends audio kinds and <see cref="AudioSocketKind.Hangup"/>: Asterisk tears the
/// session down on anything else. The other writers exist for simulators and tests.
/// </remarks>
public static class AudioSocketFrameWriter
{
    /// <summary>Writes <c>00 00 00</c>.</summary>
    public static void WriteHangup(IBufferWriter<byte> output) => Write(output, AudioSocketKind.Hangup, []);

    /// <summary>Writes an audio frame: non-empty, even-length, at most 65535 bytes, audio kind only.</summary>
    public static void WriteAudio(IBufferWriter<byte> output, AudioSocketKind kind, ReadOnlySpan<byte> pcm)
    {
        pcm.CopyTo(ReserveAudio(output, kind, pcm.Length));
        output.Advance(AudioSocketFrameReader.HeaderLength + pcm.Length);
    }

    /// <summary>
    /// Writes an audio header and returns the span for exactly <paramref name="payloadLength"/> payload bytes;
    /// the caller fills it and then calls <c>output.Advance(HeaderLength + payloadLength)</c>. Lets the pacer
    /// copy a frame straight from its queue into the socket's buffer.
    /// </summary>
    public static Span<byte> ReserveAudio(IBufferWriter<byte> output, AudioSocketKind kind, int payloadLength)
    {
        if (!kind.IsAudio())
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "not an audio kind");
        }

        if (payloadLength <= 0 || (payloadLength & 1) != 0 || payloadLength > AudioSocketFrameReader.ProtocolMaxPayload)
        {
            // Asterisk tears the session down on a zero-length audio frame and computes samples = len / 2.
            throw new ArgumentOutOfRangeException(nameof(payloadLength), payloadLength, "audio payload must be even, non-empty and at most 65535 bytes");
        }

        var span = output.GetSpan(AudioSocketFrameReader.HeaderLength + payloadLength);
        WriteHeader(span, kind, payloadLength);
        return span.Slice(AudioSocketFrameReader.HeaderLength, payloadLength);
    }

    /// <summary>Writes a UUID frame (RFC 4122 big-endian bytes, as Asterisk's <c>uuid_parse</c>). Simulators only.</summary>
    public static void WriteUuid(IBufferWriter<byte> output, Guid callId)
    {
        Span<byte> bytes = stackalloc byte[AudioSocketFrameReader.UuidLength];
        callId.TryWriteBytes(bytes, bigEndian: true, out _);
        Write(output, AudioSocketKind.Uuid, bytes);
    }

    /// <summary>Writes a DTMF frame with one ASCII digit. Simulators only: Asterisk rejects DTMF from the server.</summary>
    public static void WriteDtmf(IBufferWriter<byte> output, char digit) => Write(output, AudioSocketKind.Dtmf, [checked((byte)digit)]);

    /// <summary>Writes an error frame with or without a code byte. Simulators only.</summary>
    public static void WriteError(IBufferWriter<byte> output, byte? code) =>
        Write(output, AudioSocketKind.Error, code is { } c ? [c] : []);

    /// <summary>Writes any frame as given (no kind-specific checks beyond the 16-bit length).</summary>
    public static void Write(IBufferWriter<byte> output, AudioSocketKind kind, ReadOnlySpan<byte> payload)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(payload.Length, AudioSocketFrameReader.ProtocolMaxPayload, nameof(payload));
        var span = output.GetSpan(AudioSocketFrameReader.HeaderLength + payload.Length);
        WriteHeader(span, kind, payload.Length);
        payload.CopyTo(span[AudioSocketFrameReader.HeaderLength..]);
        output.Advance(AudioSocketFrameReader.HeaderLength + payload.Length);
    }

    private static void WriteHeader(Span<byte> span, AudioSocketKind kind, int payloadLength)
    {
        span[0] = (byte)kind;
        BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)payloadLength);
    }
}
