using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Cli;

/// <summary>
/// One run with the platform measured around it: its <c>/metrics</c> scraped and its process sampled before and after
/// (when asked for), the simulation between; the platform's figures land in the run's <see cref="LoadSummary"/>.
/// </summary>
internal sealed class MeasuredRun
{
    private readonly Uri? _metricsUrl;
    private readonly int? _platformPid;
    private readonly HttpClient? _http;
    private readonly TextWriter _error;

    public MeasuredRun(Uri? metricsUrl, int? platformPid, HttpClient? http, TextWriter error)
    {
        _metricsUrl = metricsUrl;
        _platformPid = platformPid;
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
        var result = await AsteriskSimulator.RunAsync(plan.Calls, plan.Schedule, cancellationToken).ConfigureAwait(false);
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
