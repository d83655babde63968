using System.Runtime.InteropServices;
using AiAgent.Grains.Audio;

namespace AiAgent.Benchmarks;

/// <summary>20 ms of a speech-band test signal (two tones) in the formats the benchmarks feed.</summary>
internal static class Frames
{
    public static short[] Samples(int rate)
    {
        var samples = new short[rate / 50];
        for (var i = 0; i < samples.Length; i++)
        {
            var t = (double)i / rate;
            samples[i] = (short)((9_000 * Math.Sin(2 * Math.PI * 440 * t)) + (6_000 * Math.Sin(2 * Math.PI * 2_300 * t)));
        }

        return samples;
    }

    public static byte[] Slin(int rate) => MemoryMarshal.AsBytes(Samples(rate).AsSpan()).ToArray();

    public static byte[] Mulaw8()
    {
        var codes = new byte[160];
        MuLaw.Encode(Samples(8_000), codes);
        return codes;
    }
}
