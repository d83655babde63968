namespace AiAgent.CallSim.Simulation;

/// <summary>One call of a schedule: when it starts (from the run's start) and, for a drawn call, how long it lasts.</summary>
/// <param name="Start">Offset of the call's start from the run's first tick.</param>
/// <param name="Hold">The call's drawn length (it talks in cycles until then); null: the call's own plan decides.</param>
public readonly record struct Arrival(TimeSpan Start, TimeSpan? Hold);

/// <summary>
/// When each call of a run starts and how long it lasts (<c>--arrival</c>). The pacer reads it tick by tick: no timer
/// or task per call. <see cref="All"/> spreads N starts evenly over a ramp (every call live at once); <see cref="Steady"/>
/// draws a call centre's traffic: Poisson arrivals and log-normal hold times, so N calls are live on average.
/// </summary>
public sealed class ArrivalSchedule
{
    /// <summary>The shape (σ of the underlying normal) of call-centre hold times: most calls near the mean, a long tail.</summary>
    public const double DefaultSigma = 0.6;

    /// <summary>Drawn holds are clamped to at least the mean divided by this.</summary>
    public const double ShortestHoldDivisor = 5;

    /// <summary>Drawn holds are clamped to at most the mean times this; also the grace after the run's end.</summary>
    public const double LongestHoldFactor = 4;

    private ArrivalSchedule(IReadOnlyList<Arrival> arrivals, TimeSpan? hangUpAt)
    {
        Arrivals = arrivals;
        HangUpAt = hangUpAt;
    }

    /// <summary>The calls, ordered by start.</summary>
    public IReadOnlyList<Arrival> Arrivals { get; }

    /// <summary>When every call still up is hung up (from the run's start); null: calls end on their own.</summary>
    public TimeSpan? HangUpAt { get; }

    /// <summary>
    /// <paramref name="calls"/> starts spread evenly over <paramref name="ramp"/> (call i at i × ramp / N), no drawn
    /// length: what <c>--calls N --ramp SEC</c> always did.
    /// </summary>
    public static ArrivalSchedule All(int calls, TimeSpan ramp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(calls, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ramp, TimeSpan.Zero);
        var arrivals = new Arrival[calls];
        for (var i = 0; i < calls; i++)
        {
            arrivals[i] = new Arrival(ramp * i / calls, null);
        }

        return new ArrivalSchedule(arrivals, null);
    }

    /// <summary>
    /// A call centre's traffic for <paramref name="run"/>: arrivals as a Poisson process at λ = N / mean hold, each
    /// call's length drawn from a log-normal distribution with mean <paramref name="meanHold"/> and shape
    /// <paramref name="sigma"/>, clamped to [mean / 5, mean × 4]. By Little's law N calls are live on average once the
    /// first hold has passed. Arrivals stop at the run's end; calls still up are hung up at run + 4 × mean hold.
    /// </summary>
    /// <param name="meanLive">N, the mean number of live calls.</param>
    /// <param name="meanHold">The mean call length.</param>
    /// <param name="run">How long calls keep arriving.</param>
    /// <param name="seed">The same seed gives the same schedule.</param>
    /// <param name="sigma">Log-normal shape.</param>
    public static ArrivalSchedule Steady(int meanLive, TimeSpan meanHold, TimeSpan run, int seed, double sigma = DefaultSigma)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(meanLive, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(meanHold, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(run, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfNegative(sigma);

        var hold = meanHold.TotalSeconds;
        var shortest = hold / ShortestHoldDivisor;
        var longest = hold * LongestHoldFactor;

        // μ such that the unclamped mean exp(μ + σ²/2) is the requested hold; λ uses the clamped mean, so Little's law holds exactly.
        var mu = Math.Log(hold) - (sigma * sigma / 2);
        var rate = meanLive / ClampedMean(mu, sigma, shortest, longest);

        var random = new Random(seed);
        var arrivals = new List<Arrival>((int)Math.Min(1_000_000, rate * run.TotalSeconds * 1.2) + 16);
        var at = 0.0;
        while (true)
        {
            at += -Math.Log(1 - random.NextDouble()) / rate; // exponential gaps: a Poisson process
            if (at >= run.TotalSeconds)
            {
                break;
            }

            var length = Math.Clamp(Math.Exp(mu + (sigma * StandardNormal(random))), shortest, longest);
            arrivals.Add(new Arrival(TimeSpan.FromSeconds(at), TimeSpan.FromSeconds(length)));
        }

        return new ArrivalSchedule(arrivals, run + TimeSpan.FromSeconds(longest));
    }

    /// <summary>
    /// The time-averaged number of calls live between <paramref name="from"/> and <paramref name="to"/>, taking each
    /// call to last its <see cref="Arrival.Hold"/> (a call without one counts as live to the end).
    /// </summary>
    public double MeanLive(TimeSpan from, TimeSpan to)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(to, from);
        var liveSeconds = 0.0;
        foreach (var arrival in Arrivals)
        {
            var end = arrival.Hold is { } hold ? arrival.Start + hold : TimeSpan.MaxValue;
            var overlap = (end < to ? end : to) - (arrival.Start > from ? arrival.Start : from);
            if (overlap > TimeSpan.Zero)
            {
                liveSeconds += overlap.TotalSeconds;
            }
        }

        return liveSeconds / (to - from).TotalSeconds;
    }

    /// <summary>E[clamp(X, lo, hi)] for X log-normal(μ, σ), by the midpoint rule over the standard normal (±8 σ).</summary>
    private static double ClampedMean(double mu, double sigma, double lo, double hi)
    {
        const int steps = 4000;
        const double range = 8;
        var dz = 2 * range / steps;
        var sum = 0.0;
        for (var i = 0; i < steps; i++)
        {
            var z = -range + ((i + 0.5) * dz);
            var density = Math.Exp(-z * z / 2) / Math.Sqrt(2 * Math.PI);
            sum += Math.Clamp(Math.Exp(mu + (sigma * z)), lo, hi) * density * dz;
        }

        return sum;
    }

    /// <summary>One standard normal draw (Box-Muller).</summary>
    private static double StandardNormal(Random random)
    {
        var u1 = 1 - random.NextDouble(); // (0, 1]: the log is finite
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
