using System.Diagnostics;
using System.Text.Json;
using AiAgent.CallSim.Audio;
using AiAgent.Failover.Ari;
using AiAgent.Failover.Reporting;
using AiAgent.Failover.Scenarios;
using Microsoft.Extensions.Logging;

namespace AiAgent.Failover;

/// <summary>The command: parse, build the platform once, measure each run, write report.json and report.md.</summary>
internal static class FailoverCommand
{
    public const int NoneDropped = 0;
    public const int SomeDropped = 1;
    public const int BadInput = 2;
    public const int SetupFailed = 3;

    public static async Task<int> RunAsync(string[] args, ILogger logger, CancellationToken cancellationToken)
    {
        FailoverOptions? options;
        string repository;
        CallAudio audio;
        try
        {
            options = FailoverOptions.Parse(args);
            if (options is null)
            {
                Console.WriteLine(FailoverOptions.Usage);
                return NoneDropped;
            }

            repository = FindRepository(options.Repository);
            // ARI mode: the caller speaks into the bridge in the platform's external-media format (slin16).
            var format = options.Asterisk == AsteriskMode.Ari ? CallFormat.All.Single(static f => f.Name == "slin16") : CallFormat.Slin;
            audio = CallAudio.FromWav(options.Wav ?? Path.Combine(repository, "tools", "CallSim", "assets", "hello.wav"), format);
        }
        catch (Exception ex) when (ex is FormatException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            await Console.Error.WriteLineAsync($"failover: {ex.Message}").ConfigureAwait(false);
            return BadInput;
        }

        var started = DateTimeOffset.UtcNow;
        var output = Path.GetFullPath(options.Out
            ?? Path.Combine(repository, "artifacts", "failover", $"{started:yyyyMMdd-HHmmss}-{options.Scenario.Name()}"));
        Directory.CreateDirectory(output);
        if (options.Build && !await BuildAsync(repository, output, logger, cancellationToken).ConfigureAwait(false))
        {
            await Console.Error.WriteLineAsync($"failover: the build failed, see {Path.Combine(output, "build.log")}").ConfigureAwait(false);
            return SetupFailed;
        }

        var runs = new List<RunReport>();
        var failures = new List<string>();
        for (var run = 1; run <= options.Runs && !cancellationToken.IsCancellationRequested; run++)
        {
            var directory = options.Runs == 1 ? output : Path.Combine(output, $"run{run}");
            try
            {
                var report = options.Asterisk == AsteriskMode.Ari
                    ? await new AriFailoverRun(options, repository, directory, audio, logger).ExecuteAsync(run, cancellationToken).ConfigureAwait(false)
                    : await new FailoverRun(options, repository, directory, audio, logger).ExecuteAsync(run, cancellationToken).ConfigureAwait(false);
                runs.Add(report);
                Log.RunDone(logger, run, report.Summary.Dropped, report.Summary.Calls, Path.Combine(output, "report.md"));
            }
            catch (Exception ex)
            {
                // Whatever broke one run (a process that would not start, the user's Ctrl+C), its processes are
                // stopped by now; the report says so and keeps the runs that finished.
                Log.RunFailed(logger, run, ex);
                failures.Add($"run {run}: {ex.Message}");
            }
        }

        var failover = new FailoverReport
        {
            Scenario = options.Scenario.Name(),
            Calls = options.Calls,
            Silos = options.Silos,
            Asterisk = options.Asterisk.Name(),
            Gateways = options.Gateways,
            EventAtSeconds = options.At.TotalSeconds,
            AfterSeconds = options.After.TotalSeconds,
            Command = "dotnet run -c Release --project tools/Failover -- " + string.Join(' ', args),
            Commit = await GitCommitAsync(repository).ConfigureAwait(false),
            Processors = Environment.ProcessorCount,
            StartedUtc = started,
            Runs = runs,
            Failures = failures,
        };
        await File.WriteAllTextAsync(Path.Combine(output, "report.json"), JsonSerializer.Serialize(failover, FailoverJsonContext.Default.FailoverReport), CancellationToken.None).ConfigureAwait(false);
        var markdown = MarkdownReport.Format(failover);
        await File.WriteAllTextAsync(Path.Combine(output, "report.md"), markdown, CancellationToken.None).ConfigureAwait(false);
        Console.WriteLine(markdown);
        return failures.Count > 0 || runs.Count == 0 ? SetupFailed : failover.Dropped > 0 ? SomeDropped : NoneDropped;
    }

    /// <summary>The checkout: given, or the first folder holding AiAgent.Orleans.sln above this binary or the current directory.</summary>
    private static string FindRepository(string? given)
    {
        if (given is not null)
        {
            return File.Exists(Path.Combine(given, "AiAgent.Orleans.sln"))
                ? Path.GetFullPath(given)
                : throw new IOException($"--repo {given}: no AiAgent.Orleans.sln there");
        }

        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "AiAgent.Orleans.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new IOException("the checkout (AiAgent.Orleans.sln) was not found above this binary or the current directory; pass --repo");
    }

    /// <summary>Builds Silo and Gateway in Release, once for all runs (their output goes to build.log).</summary>
    private static async Task<bool> BuildAsync(string repository, string output, ILogger logger, CancellationToken cancellationToken)
    {
        foreach (var project in new[] { "Silo/Silo.csproj", "Gateway/Gateway.csproj" })
        {
            Log.Building(logger, project);
            await using var build = Processes.ChildProcess.Start(
                "build", "dotnet", ["build", Path.Combine(repository, project), "-c", "Release", "-v", "q", "-nologo"],
                Path.Combine(output, "build.log"), repository, logger);
            if (!await build.WaitForExitAsync(TimeSpan.FromMinutes(10), cancellationToken).ConfigureAwait(false) || build.ExitCode != 0)
            {
                return false;
            }
        }

        return true;
    }

    private static async Task<string?> GitCommitAsync(string repository)
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", ["describe", "--always", "--dirty", "--abbrev=7"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = repository, // not the current directory, which may be gone by the end of a long run
            });
            if (git is null)
            {
                return null;
            }

            var commit = (await git.StandardOutput.ReadToEndAsync().ConfigureAwait(false)).Trim();
            await git.WaitForExitAsync().ConfigureAwait(false);
            return git.ExitCode == 0 && commit.Length > 0 ? commit : null;
        }
        catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException or InvalidOperationException)
        {
            return null; // no git, or not a checkout (an exported copy): the report just has no commit
        }
    }
}
