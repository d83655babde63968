using AiAgent.Grains.Audio;
using AiAgent.Grains.Interfaces.Audio;
using BenchmarkDotNet.Attributes;

namespace AiAgent.Benchmarks;

/// <summary>One 20 ms frame through the converter chains a call runs (the issue 3 speed targets: ≤ 10 µs, 0 B).</summary>
public class AudioConverterBenchmarks
{
    private readonly AudioConverter _mulaw8ToPcm24 = AudioConverter.Create(AudioFormat.Mulaw8, AudioFormat.Slin24);
    private readonly AudioConverter _pcm24ToSlin8 = AudioConverter.Create(AudioFormat.Slin24, AudioFormat.Slin8);
    private readonly AudioConverter _pcm24ToSlin16 = AudioConverter.Create(AudioFormat.Slin24, AudioFormat.Slin16);
    private readonly AudioConverter _slin8ToMulaw8 = AudioConverter.Create(AudioFormat.Slin8, AudioFormat.Mulaw8);
    private readonly byte[] _mulaw8 = Frames.Mulaw8();
    private readonly byte[] _slin8 = Frames.Slin(8_000);
    private readonly byte[] _pcm24 = Frames.Slin(24_000);
    private readonly byte[] _output = new byte[4_096];

    [Benchmark(Description = "µ-law 8k → PCM16 24k (caller → OpenAI)")]
    public int Mulaw8ToPcm24() => _mulaw8ToPcm24.Convert(_mulaw8, _output);

    [Benchmark(Description = "PCM16 24k → slin 8k (OpenAI → caller)")]
    public int Pcm24ToSlin8() => _pcm24ToSlin8.Convert(_pcm24, _output);

    [Benchmark(Description = "PCM16 24k → slin16 (OpenAI → wideband caller)")]
    public int Pcm24ToSlin16() => _pcm24ToSlin16.Convert(_pcm24, _output);

    [Benchmark(Description = "slin 8k → µ-law 8k (no resampling)")]
    public int Slin8ToMulaw8() => _slin8ToMulaw8.Convert(_slin8, _output);
}
