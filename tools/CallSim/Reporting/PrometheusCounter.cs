using System.Globalization;

namespace AiAgent.CallSim.Reporting;

/// <summary>
/// A counter read from a Prometheus text scrape: the <c>name_total</c> samples (<c>name_total{labels} value</c> or
/// <c>name_total value</c>) summed over every label set, so a run's share is the difference of two scrapes.
/// </summary>
/// <remarks>Hand-written like <see cref="PrometheusHistogram"/>: no text-format parser package is on the mirror.</remarks>
public static class PrometheusCounter
{
    /// <summary>The sum of <paramref name="name"/>'s samples (without <c>_total</c>); 0 when absent (never incremented, so not exported).</summary>
    /// <exception cref="FormatException">A sample of this counter has no number for a value.</exception>
    public static double Sum(string scrape, string name)
    {
        var metric = name + "_total";
        var sum = 0.0;
        foreach (var raw in scrape.AsSpan().EnumerateLines())
        {
            var line = raw.Trim();
            if (!line.StartsWith(metric, StringComparison.Ordinal) || line.Length == metric.Length)
            {
                continue;
            }

            ReadOnlySpan<char> rest;
            if (line[metric.Length] == '{')
            {
                var close = line.LastIndexOf('}');
                if (close < 0)
                {
                    continue;
                }

                rest = line[(close + 1)..];
            }
            else if (line[metric.Length] is ' ' or '\t')
            {
                rest = line[metric.Length..];
            }
            else
            {
                continue; // another metric that shares the prefix (name_total_other)
            }

            rest = rest.Trim();
            var space = rest.IndexOfAny(' ', '\t'); // an optional timestamp follows the value
            var value = space < 0 ? rest : rest[..space];
            sum += double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : throw new FormatException($"{metric}: '{value.ToString()}' is not a number");
        }

        return sum;
    }

    /// <summary>How much <paramref name="name"/> grew between two scrapes.</summary>
    public static double Delta(string before, string after, string name) => Sum(after, name) - Sum(before, name);
}
