using AiAgent.Grains.Audio;
using AiAgent.Grains.Interfaces.Audio;
using BenchmarkDotNet.Attributes;

namespace AiAgent.Benchmarks;

/// <summary>Cutting converted audio into 20 ms slin 8 kHz AudioSocket frames.</summary>
public class AudioFramerBenchmarks
{
    private readonly AudioFramer _framer = new(AudioFormat.Slin8, TimeSpan.FromMilliseconds(20));
    private readonly byte[] _frame = Frames.Slin(8_000);
    private readonly byte[] _odd = new byte[333];
    private readonly byte[] _output = new byte[4_096];

    [Benchmark(Description = "framer: 320 B in → one 320 B frame")]
    public int WholeFrame() => _framer.Write(_frame, _output);

    [Benchmark(Description = "framer: 333 B in (remainder carried)")]
    public int OddChunk() => _framer.Write(_odd, _output);
}
