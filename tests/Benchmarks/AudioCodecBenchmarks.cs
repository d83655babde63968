using AiAgent.Grains.Audio;
using BenchmarkDotNet.Attributes;
using NAudio.Codecs;

namespace AiAgent.Benchmarks;

/// <summary>G.711 on one 20 ms frame at 8 kHz (160 samples), ours against NAudio's per-sample methods.</summary>
public class AudioCodecBenchmarks
{
    private readonly byte[] _codes = Frames.Mulaw8();
    private readonly short[] _samples = Frames.Samples(8_000);
    private readonly short[] _decoded = new short[160];
    private readonly byte[] _encoded = new byte[160];

    [Benchmark(Description = "µ-law decode 160")]
    public void MuLawDecode() => MuLaw.Decode(_codes, _decoded);

    [Benchmark(Description = "µ-law encode 160")]
    public void MuLawEncode() => MuLaw.Encode(_samples, _encoded);

    [Benchmark(Description = "A-law decode 160")]
    public void ALawDecode() => ALaw.Decode(_codes, _decoded);

    [Benchmark(Description = "A-law encode 160")]
    public void ALawEncode() => ALaw.Encode(_samples, _encoded);

    [Benchmark(Description = "NAudio µ-law encode 160")]
    public void NAudioMuLawEncode()
    {
        for (var i = 0; i < _samples.Length; i++)
        {
            _encoded[i] = MuLawEncoder.LinearToMuLawSample(_samples[i]);
        }
    }
}
