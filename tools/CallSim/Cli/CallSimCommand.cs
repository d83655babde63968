using System.Text.Json;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Cli;

/// <summary>The command: parse, load the WAV, run the calls, write the recording, print the summary.</summary>
public static class CallSimCommand
{
    /// <summary>Exit code when every call passed.</summary>
    public const int Passed = 0;

    /// <summary>Exit code when a call failed its checks.</summary>
    public const int Failed = 1;

    /// <summary>Exit code for a bad command line or input file.</summary>
    public const int BadInput = 2;

    /// <summary>Runs the command; Ctrl+C (the token) hangs up the calls in progress and still prints the summary.</summary>
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (args.Contains("--dialplan"))
        {
            return await Dialplan.DialplanCommand.RunAsync(args, output, error, cancellationToken).ConfigureAwait(false);
        }

        CliOptions? options;
        IReadOnlyList<CallSettings> calls;
        try
        {
            options = CommandLine.Parse(args, Path.Combine(AppContext.BaseDirectory, "assets", "hello.wav"));
            if (options is null)
            {
                await output.WriteLineAsync(CommandLine.Usage).ConfigureAwait(false);
                return Passed;
            }

            var audio = CallAudio.FromWav(options.Wav, options.Format);
            calls = options.ToCallSettings(audio);
            foreach (var call in calls)
            {
                call.Validate();
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"callsim: {ex.Message}").ConfigureAwait(false);
            return BadInput;
        }

        using var http = options.MetricsUrl is null ? null : new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var before = http is null ? null : await ScrapeAsync(http, options.MetricsUrl!, error, cancellationToken).ConfigureAwait(false);
        var result = await AsteriskSimulator.RunAsync(calls, options.EffectiveRamp, cancellationToken).ConfigureAwait(false);
        var after = http is null || before is null ? null : await ScrapeAsync(http, options.MetricsUrl!, error, CancellationToken.None).ConfigureAwait(false);
        if (options.Out is { } path)
        {
            var first = result.Calls[0];
            try
            {
                WavRecording.Write(path, first.Format, first.ReceivedAudio.Span);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"callsim: --out {path}: {ex.Message}").ConfigureAwait(false);
            }
        }

        var text = (options.Calls, options.Json) switch
        {
            (1, true) => JsonSerializer.Serialize(result.Calls[0].Summary, CallSimJsonContext.Default.CallSummary),
            (1, false) => SummaryText.Format(result.Calls[0].Summary, result.Load.PacerLateness),
            (_, true) => JsonSerializer.Serialize(result.Load, CallSimJsonContext.Default.LoadSummary),
            _ => SummaryText.Format(result.Load),
        };
        await output.WriteLineAsync(text).ConfigureAwait(false);
        if (before is not null && after is not null && !options.Json)
        {
            await output.WriteLineAsync(PlatformLatencyText(before, after)).ConfigureAwait(false);
        }

        return result.Load.Failed == 0 ? Passed : Failed;
    }

    /// <summary>The platform's own latency histograms for this run (the difference of two scrapes).</summary>
    public static string PlatformLatencyText(string before, string after)
    {
        var text = new System.Text.StringBuilder();
        foreach (var (label, metric) in s_platformHistograms)
        {
            var run = PrometheusHistogram.Parse(after, metric).Since(PrometheusHistogram.Parse(before, metric));
            var line = run.Count <= 0
                ? "no observations"
                : string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"p50 {run.Quantile(0.5) * 1000:0.0} ms, p90 {run.Quantile(0.9) * 1000:0.0} ms, p99 {run.Quantile(0.99) * 1000:0.0} ms (n = {run.Count:0}, from buckets)");
            text.Append(label.PadRight(21)).AppendLine(line);
        }

        return text.ToString().TrimEnd();
    }

    private static readonly (string Label, string Metric)[] s_platformHistograms =
    [
        ("platform-added", "ai_agent_platform_added_latency_seconds"),
        ("turn latency", "ai_agent_turn_response_seconds"),
    ];

    private static async Task<string?> ScrapeAsync(HttpClient http, Uri url, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            return await http.GetStringAsync(url, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await error.WriteLineAsync($"callsim: --metrics {url}: {ex.Message}").ConfigureAwait(false);
            return null;
        }
    }
}
