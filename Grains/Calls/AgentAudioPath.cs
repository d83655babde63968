using System.Buffers;
using AiAgent.Grains.Audio;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Agent audio on its way to the caller: converts each provider chunk to the playout format, cuts it into whole
/// frames (the remainder waits for the next chunk; the utterance's end is padded with silence) and publishes one
/// stream event per provider chunk, never per 20 ms frame.
/// </summary>
internal sealed class AgentAudioPath(AudioConverter toCall, AudioFramer framer, PlayoutTracker playout, AgentOutputPublisher publisher, CallContext call)
{
    /// <summary>Audio chunks published.</summary>
    public long ChunksOut { get; private set; }

    /// <summary>Bytes of audio published, in the playout format.</summary>
    public long BytesOut { get; private set; }

    /// <summary>Converts, frames and publishes one provider chunk of <paramref name="utteranceId"/>.</summary>
    public void Write(int utteranceId, ReadOnlySpan<byte> audio, DateTime receivedAtUtc)
    {
        var utterance = playout.OnAgentAudio(utteranceId, receivedAtUtc, out var isNew);
        if (isNew)
        {
            Reset();
        }

        if (utterance.Interrupted)
        {
            return;
        }

        var converted = ArrayPool<byte>.Shared.Rent(toCall.GetMaxOutputBytes(audio.Length));
        try
        {
            var convertedBytes = toCall.Convert(audio, converted);
            var frameBytes = framer.GetOutputBytes(convertedBytes);
            if (frameBytes == 0)
            {
                framer.Write(converted.AsSpan(0, convertedBytes), []);
                return;
            }

            // The stream event owns its bytes (it is queued and serialized after this returns).
            var frames = new byte[frameBytes];
            framer.Write(converted.AsSpan(0, convertedBytes), frames);
            Publish(utteranceId, frames, receivedAtUtc);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(converted);
        }
    }

    /// <summary>The provider sent all of <paramref name="utteranceId"/>: publishes its tail and its end.</summary>
    public void Finish(int utteranceId)
    {
        if (!playout.TryGet(utteranceId, out var utterance) || utterance.Interrupted)
        {
            return;
        }

        // The resampler's filter tail and the framer's remainder (padded with silence) end the utterance.
        var tail = ArrayPool<byte>.Shared.Rent(toCall.MaxFlushBytes + framer.FrameBytes * 2);
        try
        {
            var tailBytes = toCall.Flush(tail);
            var frameBytes = framer.GetOutputBytes(tailBytes);
            var last = new byte[frameBytes + (framer.Buffered + tailBytes > frameBytes ? framer.FrameBytes : 0)];
            var written = framer.Write(tail.AsSpan(0, tailBytes), last);
            written += framer.Flush(last.AsSpan(written));
            if (written > 0)
            {
                Publish(utteranceId, last, call.UtcNow);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(tail);
        }

        publisher.UtteranceDone(utteranceId);
    }

    /// <summary>Barge-in: drops the partial frame and filter state, and tells the gateway to flush <paramref name="utteranceId"/>.</summary>
    public void Flush(int utteranceId)
    {
        Reset();
        publisher.Flush(utteranceId);
    }

    private void Reset()
    {
        framer.Reset();
        toCall.Reset();
    }

    private void Publish(int utteranceId, byte[] frames, DateTime receivedAtUtc)
    {
        ChunksOut++;
        BytesOut += frames.Length;
        call.Metrics.AgentChunk(call.Provider, frames.Length);
        publisher.AudioChunk(utteranceId, frames, receivedAtUtc);
    }
}
