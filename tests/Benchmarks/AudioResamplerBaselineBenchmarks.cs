using AiAgent.Grains.Audio;
using BenchmarkDotNet.Attributes;
using NAudio.Dsp;

namespace AiAgent.Benchmarks;

/// <summary>24 kHz → 8 kHz, one 20 ms frame of 16-bit samples: ours against NAudio 3.3.0's WDL resampler.</summary>
public class AudioResamplerBaselineBenchmarks
{
    private readonly PolyphaseResampler _ours = new(24_000, 8_000);
    private readonly WdlResampler _wdlIir = CreateWdl(sinc: false);
    private readonly WdlResampler _wdlSinc = CreateWdl(sinc: true);
    private readonly short[] _input = Frames.Samples(24_000);
    private readonly short[] _output = new short[1_024];
    private readonly float[] _floatOutput = new float[1_024];

    [Benchmark(Description = "ours: polyphase FIR 24k → 8k")]
    public int Ours() => _ours.Process(_input, _output);

    [Benchmark(Description = "NAudio WDL IIR 24k → 8k")]
    public int WdlIir() => Run(_wdlIir);

    [Benchmark(Description = "NAudio WDL sinc 24k → 8k")]
    public int WdlSinc() => Run(_wdlSinc);

    private static WdlResampler CreateWdl(bool sinc)
    {
        var wdl = new WdlResampler();
        if (sinc)
        {
            wdl.SetMode(true, 0, true, 64, 32);
        }
        else
        {
            // What WdlResamplingSampleProvider sets up.
            wdl.SetMode(true, 2, false, 64, 32);
            wdl.SetFilterParms(0.693f, 0.707f);
        }

        wdl.SetFeedMode(true);
        wdl.SetRates(24_000, 8_000);
        return wdl;
    }

    private int Run(WdlResampler wdl)
    {
        // Same work as ours: 16-bit in, 16-bit out.
        var wanted = wdl.ResamplePrepare(_input.Length, 1, out var inBuffer);
        for (var i = 0; i < wanted; i++)
        {
            inBuffer[i] = _input[i] * (1f / 32768);
        }

        var written = wdl.ResampleOut(_floatOutput, wanted, _floatOutput.Length, 1);
        for (var i = 0; i < written; i++)
        {
            _output[i] = (short)Math.Clamp(MathF.Round(_floatOutput[i] * 32768), short.MinValue, short.MaxValue);
        }

        return written;
    }
}
