using System.Globalization;
using System.Text.RegularExpressions;
using AiAgent.Grains.Tests;

namespace AiAgent.Silo.Tests;

/// <summary>One scrape of <c>/metrics</c> in Prometheus text format, parsed into samples.</summary>
public sealed partial class PrometheusScrape
{
    private PrometheusScrape(string text, List<Sample> samples)
    {
        Text = text;
        Samples = samples;
    }

    public string Text { get; }

    public IReadOnlyList<Sample> Samples { get; }

    /// <summary>Scrapes until <paramref name="condition"/> holds (the exporter caches a scrape for 300 ms).</summary>
    public static async Task<PrometheusScrape> ReadUntilAsync(HttpClient http, Func<PrometheusScrape, bool> condition)
    {
        using var timeout = new CancellationTokenSource(CallProbe.Timeout);
        while (true)
        {
            var scrape = await ReadAsync(http);
            if (condition(scrape))
            {
                return scrape;
            }

            await Task.Delay(100, timeout.Token);
        }
    }

    /// <summary>How much a <c>provider="local"</c> series grew between two scrapes.</summary>
    public static double LocalDelta(PrometheusScrape before, PrometheusScrape after, string name) =>
        after.Sum(name, ("provider", "local")) - before.Sum(name, ("provider", "local"));

    public static async Task<PrometheusScrape> ReadAsync(HttpClient http)
    {
        using var response = await http.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        var text = await response.Content.ReadAsStringAsync();
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            var match = SampleLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Match label in Label().Matches(match.Groups["labels"].Value))
            {
                labels[label.Groups["k"].Value] = label.Groups["v"].Value;
            }

            var value = match.Groups["value"].Value switch
            {
                "+Inf" => double.PositiveInfinity,
                "-Inf" => double.NegativeInfinity,
                var v => double.Parse(v, CultureInfo.InvariantCulture),
            };
            samples.Add(new Sample(match.Groups["name"].Value, labels, value));
        }

        return new PrometheusScrape(text, samples);
    }

    /// <summary>The sum of every series named <paramref name="name"/> whose labels include all of <paramref name="labels"/>.</summary>
    public double Sum(string name, params (string Key, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

    /// <summary>True when at least one series named <paramref name="name"/> has all of <paramref name="labels"/>.</summary>
    public bool Has(string name, params (string Key, string Value)[] labels) =>
        Samples.Any(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value));

    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<k>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<v>(?:[^""\\]|\\.)*)""")]
    private static partial Regex Label();
}
