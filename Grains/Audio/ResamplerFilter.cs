using System.Collections.Concurrent;

namespace AiAgent.Grains.Audio;

/// <summary>
/// The immutable polyphase FIR design for one rate pair, shared by every <see cref="PolyphaseResampler"/> of that
/// pair (designing it costs far more than a frame; the coefficients are read-only).
/// </summary>
/// <remarks>
/// A Kaiser-windowed sinc low-pass at the intermediate rate <c>L × input rate</c>. The pass band ends at
/// <see cref="PassbandFraction"/> of the lower Nyquist frequency and the stop band starts exactly at it, so nothing
/// folds back (3.4 kHz pass / 4 kHz stop for 8 kHz). The half length is rounded up to a multiple of <c>L × M</c>,
/// which makes the group delay a whole number of both input and output samples.
/// </remarks>
internal sealed class ResamplerFilter
{
    /// <summary>Stop-band attenuation the Kaiser window is designed for, in dB (ripple ≈ 10^(-A/20) in both bands).</summary>
    public const double StopbandAttenuationDb = 100;

    /// <summary>Where the pass band ends, as a fraction of the lower of the two Nyquist frequencies.</summary>
    public const double PassbandFraction = 0.85;

    /// <summary>The largest up/down factor accepted (the pairs of 8/16/24/48 kHz need at most 6).</summary>
    public const int MaxFactor = 64;

    private static readonly ConcurrentDictionary<(int In, int Out), ResamplerFilter> Cache = new();

    private ResamplerFilter(int inputRate, int outputRate)
    {
        var gcd = Gcd(inputRate, outputRate);
        Up = outputRate / gcd;
        Down = inputRate / gcd;
        if (Up > MaxFactor || Down > MaxFactor)
        {
            throw new NotSupportedException(
                $"resampling {inputRate} Hz to {outputRate} Hz needs the ratio {Up}/{Down}; factors above {MaxFactor} are not supported");
        }

        double intermediateRate = (double)inputRate * Up;
        var nyquist = Math.Min(inputRate, outputRate) / 2.0;
        var passEdge = PassbandFraction * nyquist;
        var stopEdge = nyquist;

        // Kaiser's estimate of the length reaching the attenuation over the transition band.
        var transition = 2 * Math.PI * (stopEdge - passEdge) / intermediateRate;
        var estimate = (int)Math.Ceiling((StopbandAttenuationDb - 7.95) / (2.285 * transition)) + 1;
        var grid = Up * Down;
        DelayIntermediate = ((estimate / 2) + grid - 1) / grid * grid;
        TapCount = (2 * DelayIntermediate) + 1;

        var prototype = new double[TapCount];
        var cutoff = (passEdge + stopEdge) / 2 / intermediateRate; // cycles per intermediate sample
        var beta = 0.1102 * (StopbandAttenuationDb - 8.7);
        var i0Beta = BesselI0(beta);
        var sum = 0.0;
        for (var j = 0; j < TapCount; j++)
        {
            var t = j - DelayIntermediate;
            var ratio = (double)t / DelayIntermediate;
            var window = BesselI0(beta * Math.Sqrt(Math.Max(0, 1 - (ratio * ratio)))) / i0Beta;
            var sinc = t == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
            prototype[j] = sinc * window;
            sum += prototype[j];
        }

        // Unity gain at DC after zero-stuffing by L.
        var gain = Up / sum;

        // Phase p reads inputs x[q], x[q-1], ...: store its taps h[p + mL] reversed and padded to whole vectors, so
        // the inner loop is a forward dot product with the contiguous history x[q-K+1 .. q].
        var perPhase = (TapCount + Up - 1) / Up;
        var width = System.Numerics.Vector<float>.Count;
        TapsPerPhase = (perPhase + width - 1) / width * width;
        Coefficients = new float[Up * TapsPerPhase];
        for (var p = 0; p < Up; p++)
        {
            for (var r = 0; r < TapsPerPhase; r++)
            {
                var j = p + ((TapsPerPhase - 1 - r) * Up);
                Coefficients[(p * TapsPerPhase) + r] = j < TapCount ? (float)(prototype[j] * gain) : 0f;
            }
        }

        InputRate = inputRate;
        OutputRate = outputRate;
    }

    public int InputRate { get; }

    public int OutputRate { get; }

    /// <summary>L: the interpolation factor.</summary>
    public int Up { get; }

    /// <summary>M: the decimation factor.</summary>
    public int Down { get; }

    /// <summary>Prototype length at the intermediate rate (odd, linear phase).</summary>
    public int TapCount { get; }

    /// <summary>Group delay in intermediate samples: a multiple of L × M.</summary>
    public int DelayIntermediate { get; }

    /// <summary>Taps per polyphase branch, padded with zeros to whole <see cref="System.Numerics.Vector{T}"/>s.</summary>
    public int TapsPerPhase { get; }

    /// <summary>L branches of <see cref="TapsPerPhase"/> taps each, reversed.</summary>
    public float[] Coefficients { get; }

    public static ResamplerFilter For(int inputRate, int outputRate)
    {
        if (inputRate <= 0 || outputRate <= 0)
        {
            throw new ArgumentOutOfRangeException(inputRate <= 0 ? nameof(inputRate) : nameof(outputRate), "sample rates must be positive");
        }

        return Cache.GetOrAdd((inputRate, outputRate), static key => new ResamplerFilter(key.In, key.Out));
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    private static double BesselI0(double x)
    {
        // Power series of the modified Bessel function of the first kind, order 0; converges fast for x < 30.
        var sum = 1.0;
        var term = 1.0;
        var half = x / 2;
        for (var k = 1; k < 200 && term > sum * 1e-17; k++)
        {
            term *= half / k * (half / k);
            sum += term;
        }

        return sum;
    }
}
