using System.Buffers;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>How the wait for a connection's UUID frame ended.</summary>
internal enum HandshakeOutcome
{
    /// <summary>The UUID arrived.</summary>
    Ok,

    /// <summary>The peer closed before sending anything (e.g. the dialplan app found the channel not answered).</summary>
    Closed,

    /// <summary>Nothing came within the timeout.</summary>
    TimedOut,

    /// <summary>The first bytes are not a valid UUID frame.</summary>
    Invalid,
}

/// <summary>The result of <see cref="AudioSocketHandshake.ReadUuidAsync"/>.</summary>
/// <param name="Outcome">How the wait ended.</param>
/// <param name="CallId">The call id, when <see cref="HandshakeOutcome.Ok"/>.</param>
/// <param name="Error">What was wrong, when <see cref="HandshakeOutcome.Invalid"/>.</param>
internal readonly record struct HandshakeResult(HandshakeOutcome Outcome, Guid CallId = default, AudioSocketProtocolException? Error = null);

/// <summary>The start of an AudioSocket session: the UUID frame, which Asterisk always sends first (docs/protocols/audiosocket.md).</summary>
internal static class AudioSocketHandshake
{
    /// <summary>Reads the first frame, which must be the UUID, within <paramref name="timeout"/>.</summary>
    /// <remarks>
    /// Frames behind the UUID stay in the pipe, unexamined. Not linked to <c>ConnectionClosed</c>: Kestrel fires
    /// it on the peer's FIN, possibly before bytes sent just ahead of the FIN have been read; the pipe reports
    /// the FIN itself (<c>IsCompleted</c>) after the data.
    /// </remarks>
    public static async Task<HandshakeResult> ReadUuidAsync(PipeReader input, AudioSocketFrameReader reader, TimeSpan timeout, TimeProvider time)
    {
        using var deadline = new CancellationTokenSource(timeout, time);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                return new(HandshakeOutcome.TimedOut);
            }
            catch (Exception ex) when (ex is IOException or ConnectionAbortedException)
            {
                return new(HandshakeOutcome.Closed);
            }

            var buffer = result.Buffer;
            var consumed = buffer.Start;
            try
            {
                if (TryJudge(buffer, result.IsCompleted, reader, ref consumed) is { } judged)
                {
                    return judged;
                }
            }
            catch (AudioSocketProtocolException ex)
            {
                return new(HandshakeOutcome.Invalid, Error: ex);
            }
            finally
            {
                if (consumed.Equals(buffer.Start))
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
                else
                {
                    // Frames behind the UUID stay unexamined, so the next read returns them at once.
                    input.AdvanceTo(consumed);
                }
            }
        }
    }

    /// <summary>The handshake's result from the bytes so far, or null when more are needed.</summary>
    private static HandshakeResult? TryJudge(ReadOnlySequence<byte> buffer, bool isCompleted, AudioSocketFrameReader reader, ref SequencePosition consumed)
    {
        if (!buffer.IsEmpty && buffer.FirstSpan[0] != (byte)AudioSocketKind.Uuid)
        {
            // Decided from the kind byte alone: do not wait for the body of a frame we will not accept.
            var kind = buffer.FirstSpan[0];
            return new(HandshakeOutcome.Invalid, Error: new AudioSocketProtocolException(
                AudioSocketProtocolError.MissingUuid, kind, 0, $"first frame is kind 0x{kind:X2}, not a UUID (0x01)"));
        }

        var rest = buffer;
        if (reader.TryRead(ref rest, out var frame))
        {
            consumed = rest.Start;
            return new(HandshakeOutcome.Ok, frame.ReadUuid());
        }

        if (!isCompleted)
        {
            return null;
        }

        return buffer.IsEmpty
            ? new(HandshakeOutcome.Closed)
            : new(HandshakeOutcome.Invalid, Error: new AudioSocketProtocolException(
                AudioSocketProtocolError.Truncated, (byte)AudioSocketKind.Uuid, (int)buffer.Length, "connection closed inside the UUID frame"));
    }
}
