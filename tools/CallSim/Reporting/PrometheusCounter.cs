using System.Globalization;

namespace AiAgent.CallSim.Reporting;

/// <summary>
/// A counter read from a Prometheus text scrape: the <c>name_total</c> samples (<c>name_total{labels} value</c> or
/// <c>name_total value</c>) summed over every label set, so a run's share is the difference of two scrapes.
/// </summary>
/// <remarks>Hand-written like <see cref="PrometheusHistogram"/>: no text-format parser package is on the mirror.</remarks>
public static class PrometheusCounter
{
    /// <summary>
    /// The sum of <paramref name="name"/>'s samples (without <c>_total</c>); 0 when absent (never incremented, so not
    /// exported). With <paramref name="label"/> (<c>key="value"</c>), only the samples whose label set has it.
    /// </summary>
    /// <exception cref="FormatException">A sample of this counter has no number for a value.</exception>
    public static double Sum(string scrape, string name, string? label = null) => SumOf(scrape, name + "_total", label);

    /// <summary>
    /// The sum of the gauge <paramref name="name"/>'s samples (the full name, e.g. a heap size by generation summed to
    /// the whole heap); 0 when absent. With <paramref name="label"/>, only the samples whose label set has it.
    /// </summary>
    /// <exception cref="FormatException">A sample of this gauge has no number for a value.</exception>
    public static double Gauge(string scrape, string name, string? label = null) => SumOf(scrape, name, label);

    /// <summary>How much <paramref name="name"/> (with <paramref name="label"/>, when given) grew between two scrapes.</summary>
    public static double Delta(string before, string after, string name, string? label = null) =>
        Sum(after, name, label) - Sum(before, name, label);

    private static double SumOf(string scrape, string metric, string? label)
    {
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

                if (label is not null && !HasLabel(line[(metric.Length + 1)..close], label))
                {
                    continue;
                }

                rest = line[(close + 1)..];
            }
            else if (line[metric.Length] is ' ' or '\t')
            {
                if (label is not null)
                {
                    continue;
                }

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

    /// <summary>True when the label set (the text between the braces) holds <paramref name="label"/> whole, not as part of another.</summary>
    private static bool HasLabel(ReadOnlySpan<char> labels, string label)
    {
        // Positions are kept in the whole label set, so a pair is judged by what really precedes it.
        for (var from = 0; from <= labels.Length - label.Length;)
        {
            var found = labels[from..].IndexOf(label, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            var at = from + found;
            var end = at + label.Length;
            if ((at == 0 || labels[at - 1] == ',') && (end == labels.Length || labels[end] == ','))
            {
                return true;
            }

            from = at + 1;
        }

        return false;
    }
}
