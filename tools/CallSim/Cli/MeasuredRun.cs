using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Cli;

/// <summary>
/// One run with the platform measured around it: its <c>/metrics</c> scraped and its process sampled before and after
/// (when asked for) and sampled through it, the simulation between; the platform's figures land in the run's
/// <see cref="LoadSummary"/>.
/// </summary>
internal sealed class MeasuredRun
{
    private readonly Uri? _metricsUrl;
    private readonly int? _platformPid;
    private readonly TimeSpan _sampleInterval;
    private readonly HttpClient? _http;
    private readonly TextWriter _error;

    public MeasuredRun(Uri? metricsUrl, int? platformPid, TimeSpan sampleInterval, HttpClient? http, TextWriter error)
    {
        _metricsUrl = metricsUrl;
        _platformPid = platformPid;
        _sampleInterval = sampleInterval;
        _http = http;
        _error = error;
    }

    /// <summary>The scrapes of the last run, for the single-call text (null when not scraped).</summary>
    public (string Before, string After)? LastScrapes { get; private set; }

    /// <summary>Runs the plan and returns the simulation with the platform's figures added to its summary.</summary>
    public async Task<SimulationResult> RunAsync(RunPlan plan, string arrival, int? seed, CancellationToken cancellationToken)
    {
        var before = await ScrapeAsync(cancellationToken).ConfigureAwait(false);
        var processBefore = await SampleAsync().ConfigureAwait(false);
        using var stopSampling = new CancellationTokenSource();
        var started = TimeProvider.System.GetTimestamp();
        var sampling = processBefore is { } first ? SampleThroughAsync(first with { GcHeapBytes = before is null ? null : GcHeapBytes(before) }, started, stopSampling.Token) : Task.FromResult(new List<TimedSample>());
        SimulationResult result;
        try
        {
            result = await AsteriskSimulator.RunAsync(plan.Calls, plan.Schedule, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await stopSampling.CancelAsync().ConfigureAwait(false);
        }

        var samples = await sampling.ConfigureAwait(false);
        var processAfter = processBefore is null ? null : await SampleAsync().ConfigureAwait(false);
        var after = before is null ? null : await ScrapeAsync(CancellationToken.None).ConfigureAwait(false);

        var load = result.Load with { Arrival = arrival, Seed = seed };
        if (processBefore is { } start && processAfter is { } end)
        {
            var cpu = (end.CpuTime - start.CpuTime).TotalSeconds;
            load = load with
            {
                PlatformCpuSeconds = cpu,
                PlatformCpuPercentOfCorePerCall = load.CallSeconds > 0 ? cpu / load.CallSeconds * 100 : null,
                PlatformRssMb = end.RssBytes is { } rss ? rss / (1024.0 * 1024.0) : null,
                PlatformTrend = ProcessTrend.From(
                    [.. samples, new TimedSample(TimeProvider.System.GetElapsedTime(started).TotalSeconds, end with { GcHeapBytes = after is null ? null : GcHeapBytes(after) })],
                    _sampleInterval.TotalSeconds,
                    SteadyUntil(plan.Schedule)),
            };
        }

        LastScrapes = before is not null && after is not null ? (before, after) : null;
        if (LastScrapes is { } scrapes)
        {
            try
            {
                load = load with { PlatformMetrics = PlatformMetrics.From(scrapes.Before, scrapes.After) };
            }
            catch (FormatException ex)
            {
                await _error.WriteLineAsync($"callsim: --metrics {_metricsUrl}: {ex.Message}").ConfigureAwait(false);
            }
        }

        return result with { Load = load };
    }

    /// <summary>A steady arrival's last start (calls live stay near N until then); null when every call starts at once.</summary>
    private static double? SteadyUntil(ArrivalSchedule schedule) =>
        schedule.Arrivals.Any(static a => a.Hold is not null) ? schedule.Arrivals[^1].Start.TotalSeconds : null;

    /// <summary>
    /// Samples the platform every <see cref="_sampleInterval"/> until stopped, starting with <paramref name="first"/>. A
    /// sample that fails (the process gone) ends the series: the run itself reports the failure.
    /// </summary>
    private async Task<List<TimedSample>> SampleThroughAsync(PlatformSample first, long started, CancellationToken stop)
    {
        var samples = new List<TimedSample> { new(0, first) };
        using var timer = new PeriodicTimer(_sampleInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                if (await SampleAsync().ConfigureAwait(false) is not { } sample)
                {
                    break;
                }

                if (await ScrapeAsync(stop).ConfigureAwait(false) is { } scrape)
                {
                    sample = sample with { GcHeapBytes = GcHeapBytes(scrape) };
                }

                samples.Add(new TimedSample(TimeProvider.System.GetElapsedTime(started).TotalSeconds, sample));
            }
        }
        catch (OperationCanceledException)
        {
            // The run ended.
        }

        return samples;
    }

    private static long? GcHeapBytes(string scrape)
    {
        try
        {
            return (long)PrometheusCounter.Gauge(scrape, GcActivity.HeapAfterCollectionMetric);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private async Task<PlatformSample?> SampleAsync()
    {
        if (_platformPid is not { } pid)
        {
            return null;
        }

        try
        {
            return PlatformProcess.Sample(pid);
        }
        catch (InvalidOperationException ex)
        {
            await _error.WriteLineAsync($"callsim: {ex.Message}").ConfigureAwait(false);
            return null;
        }
    }

    private async Task<string?> ScrapeAsync(CancellationToken cancellationToken)
    {
        if (_http is null || _metricsUrl is null)
        {
            return null;
        }

        try
        {
            return await _http.GetStringAsync(_metricsUrl, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await _error.WriteLineAsync($"callsim: --metrics {_metricsUrl}: {ex.Message}").ConfigureAwait(false);
            return null;
        }
    }
}
