using System.Collections.Concurrent;
using AiAgent.Gateway.Audio;
using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// Read-only silence frames, one shared buffer per encoding and size for the process: a gap-filled frame costs
/// no allocation (<see cref="Grains.Interfaces.Calls.CallerAudio"/> is immutable, so the grain never writes to it).
/// </summary>
internal static class SilenceFrames
{
    private static readonly ConcurrentDictionary<(AudioEncoding Encoding, int Bytes), ReadOnlyMemory<byte>> s_frames = new();

    /// <summary>A frame of <paramref name="bytes"/> bytes of silence in <paramref name="encoding"/> (slin 0x00, µ-law 0xFF, A-law 0xD5).</summary>
    public static ReadOnlyMemory<byte> Get(AudioEncoding encoding, int bytes) =>
        s_frames.GetOrAdd((encoding, bytes), static key =>
        {
            var frame = new byte[key.Bytes];
            Array.Fill(frame, SignalLevel.SilenceByte(key.Encoding));
            return frame;
        });
}
