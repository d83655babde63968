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
        CallAudio audio;
        RunPlan plan;
        int seed;
        try
        {
            options = CommandLine.Parse(args, Path.Combine(AppContext.BaseDirectory, "assets", "hello.wav"));
            if (options is null)
            {
                await output.WriteLineAsync(CommandLine.Usage).ConfigureAwait(false);
                return Passed;
            }

            audio = CallAudio.FromWav(options.Wav, options.Format);
            seed = options.Seed ?? Random.Shared.Next();
            plan = options.Plan(audio, options.Calls, options.FindMax ? options.StepLength : null, seed);
            foreach (var call in plan.Calls.Take(1))
            {
                call.Validate(); // every call of a plan shares its settings but the id and the drawn hold
            }

            if (plan.Calls.Count == 0)
            {
                throw new ArgumentException("--arrival steady drew no call in --run: raise --run or --calls");
            }

            if (options.PlatformPid is { } pid)
            {
                _ = PlatformProcess.Sample(pid);
            }
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            await error.WriteLineAsync($"callsim: {ex.Message}").ConfigureAwait(false);
            return BadInput;
        }

        var loadBefore = MachineFacts.ReadLoadAverage();
        using var http = options.MetricsUrl is null ? null : new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var run = new MeasuredRun(options.MetricsUrl, options.PlatformPid, options.SampleInterval, http, error);
        var commandLine = "callsim " + string.Join(' ', args.Select(static a => a.Contains(' ', StringComparison.Ordinal) ? $"\"{a}\"" : a));
        var arrival = options.Arrival == ArrivalMode.Steady ? "steady" : "all";
        int exit;
        LoadRunReport report;
        if (options.FindMax)
        {
            var search = await FindMaxSearch.RunAsync(options, audio, seed, run, error, cancellationToken).ConfigureAwait(false);
            report = new LoadRunReport { CommandLine = commandLine, Machine = MachineFacts.Now(loadBefore), FindMax = search };
            var text = options.Json
                ? JsonSerializer.Serialize(report, CallSimJsonContext.Default.LoadRunReport)
                : MarkdownReport.Format(report);
            await output.WriteLineAsync(text).ConfigureAwait(false);
            exit = search.LargestHeld is null ? Failed : Passed;
        }
        else
        {
            var result = await run.RunAsync(plan, arrival, options.Arrival == ArrivalMode.Steady ? seed : null, cancellationToken).ConfigureAwait(false);
            report = new LoadRunReport { CommandLine = commandLine, Machine = MachineFacts.Now(loadBefore), Run = result.Load };
            await WriteRecordingAsync(options, result, error).ConfigureAwait(false);
            var text = (options.SingleCall, options.Json) switch
            {
                (true, true) => JsonSerializer.Serialize(result.Calls[0].Summary, CallSimJsonContext.Default.CallSummary),
                (true, false) => SummaryText.Format(result.Calls[0].Summary, result.Load.PacerLateness),
                (_, true) => JsonSerializer.Serialize(result.Load, CallSimJsonContext.Default.LoadSummary),
                _ => SummaryText.Format(result.Load),
            };
            await output.WriteLineAsync(text).ConfigureAwait(false);
            if (options.SingleCall && run.LastScrapes is { } scrapes && !options.Json)
            {
                await output.WriteLineAsync(PlatformLatencyText(scrapes.Before, scrapes.After)).ConfigureAwait(false);
            }

            exit = result.Load.Failed == 0 ? Passed : Failed;
        }

        await WriteFileAsync(options.JsonOut, "--json-out", () => JsonSerializer.Serialize(report, CallSimJsonContext.Default.LoadRunReport), error).ConfigureAwait(false);
        await WriteFileAsync(options.Markdown, "--markdown", () => MarkdownReport.Format(report), error).ConfigureAwait(false);
        return exit;
    }

    private static async Task WriteRecordingAsync(CliOptions options, SimulationResult result, TextWriter error)
    {
        if (options.Out is not { } path)
        {
            return;
        }

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

    /// <summary>Writes a report file; a path that cannot be written is reported, the run's result still stands.</summary>
    private static async Task WriteFileAsync(string? path, string option, Func<string> content, TextWriter error)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            var directory = Path.GetDirectoryName(Path.GetFullPath(path));
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }

            await File.WriteAllTextAsync(path, content()).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            await error.WriteLineAsync($"callsim: {option} {path}: {ex.Message}").ConfigureAwait(false);
        }
    }

    /// <summary>The platform's own latency histograms for this run (the difference of two scrapes).</summary>
    public static string PlatformLatencyText(string before, string after)
    {
        var text = new System.Text.StringBuilder();
        foreach (var (label, metric) in s_platformHistograms)
        {
            var run = PrometheusHistogram.Between(before, after, metric);
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
        ("platform-added", PlatformMetrics.PlatformAddedMetric),
        ("turn latency", PlatformMetrics.TurnResponseMetric),
    ];
}
