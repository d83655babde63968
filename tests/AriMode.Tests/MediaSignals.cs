using System.Buffers.Binary;

namespace AiAgent.AriMode.Tests;

/// <summary>Caller audio for the external-media leg (s16le at 16 kHz, the slin16 leg's rate).</summary>
internal static class MediaSignals
{
    /// <summary>A 440 Hz tone at -12 dBFS: speech to the energy VAD.</summary>
    public static byte[] Tone(TimeSpan length)
    {
        var samples = (int)(16_000 * length.TotalSeconds);
        var pcm = new byte[samples * 2];
        for (var i = 0; i < samples; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(pcm.AsSpan(i * 2), (short)(8_000 * Math.Sin(2 * Math.PI * 440 * i / 16_000)));
        }

        return pcm;
    }
}
