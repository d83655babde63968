using System.Globalization;

namespace AiAgent.CallSim.Reporting;

/// <summary>
/// One histogram read from a Prometheus text scrape (<c>/metrics</c>), its buckets summed over every label set
/// (e.g. every <c>provider</c>), so a run's share is the difference of two scrapes.
/// </summary>
/// <remarks>
/// Written by hand: the text format needs a dozen lines to read buckets, and no parser package is on the mirror.
/// Quantiles interpolate linearly inside a bucket, as Prometheus' <c>histogram_quantile</c> does.
/// </remarks>
public sealed class PrometheusHistogram
{
    private readonly SortedDictionary<double, double> _cumulative;

    private PrometheusHistogram(SortedDictionary<double, double> cumulative) => _cumulative = cumulative;

    /// <summary>Observations counted (the <c>+Inf</c> bucket).</summary>
    public double Count => _cumulative.Count == 0 ? 0 : _cumulative[double.PositiveInfinity];

    /// <summary>Reads <paramref name="name"/> (without the <c>_bucket</c> suffix) from a scrape; empty when absent.</summary>
    public static PrometheusHistogram Parse(string scrape, string name)
    {
        var buckets = new SortedDictionary<double, double>();
        var prefix = name + "_bucket{";
        foreach (var raw in scrape.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (!line.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            var le = line.IndexOf("le=\"", StringComparison.Ordinal);
            var close = line.LastIndexOf('}');
            if (le < 0 || close < le)
            {
                continue;
            }

            var bound = line[(le + 4)..];
            bound = bound[..bound.IndexOf('"')];
            var upper = bound is "+Inf" ? double.PositiveInfinity : double.Parse(bound, CultureInfo.InvariantCulture);
            var value = double.Parse(line[(close + 1)..].Trim(), CultureInfo.InvariantCulture);
            buckets[upper] = buckets.GetValueOrDefault(upper) + value;
        }

        return new PrometheusHistogram(buckets);
    }

    /// <summary>What histogram <paramref name="name"/> observed between two scrapes (a run's share).</summary>
    public static PrometheusHistogram Between(string before, string after, string name) =>
        Parse(after, name).Since(Parse(before, name));

    /// <summary>What was observed between <paramref name="before"/> and this scrape.</summary>
    public PrometheusHistogram Since(PrometheusHistogram before) =>
        new(new SortedDictionary<double, double>(_cumulative.ToDictionary(b => b.Key, b => b.Value - before._cumulative.GetValueOrDefault(b.Key))));

    /// <summary>Observations above <paramref name="bound"/>, which must be one of the bucket bounds; 0 when empty.</summary>
    public double CountAbove(double bound) => Count - _cumulative.GetValueOrDefault(bound);

    /// <summary>The <paramref name="q"/> quantile (0-1) in the histogram's unit; NaN when empty.</summary>
    public double Quantile(double q)
    {
        var total = Count;
        if (total <= 0)
        {
            return double.NaN;
        }

        var rank = q * total;
        double lower = 0, below = 0;
        foreach (var (upper, cumulative) in _cumulative)
        {
            if (cumulative >= rank)
            {
                if (double.IsPositiveInfinity(upper))
                {
                    return lower; // beyond the last finite bound: the bound is all that is known
                }

                var inBucket = cumulative - below;
                return inBucket <= 0 ? upper : lower + ((upper - lower) * (rank - below) / inBucket);
            }

            lower = upper;
            below = cumulative;
        }

        return lower;
    }
}
