using System.Diagnostics;
using System.Text.Json;

namespace AiAgent.Failover.Tests;

/// <summary>Runs the failover harness as its own process with the given arguments and reads its report.json.</summary>
internal static class HarnessProcess
{
    /// <summary>Runs the harness into <paramref name="output"/>; the exit code, the tail of its console, and the report's root.</summary>
    public static async Task<(int ExitCode, string Log, JsonElement Report)> RunAsync(IEnumerable<string> arguments, string output)
    {
        var repository = FindRepository();
        var harness = Path.Combine(AppContext.BaseDirectory, "AiAgent.Failover.dll");
        if (!File.Exists(harness))
        {
            // ReferenceOutputAssembly=false still builds it; it sits in its own project's output.
            harness = Directory.GetFiles(Path.Combine(repository, "tools", "Failover", "bin"), "AiAgent.Failover.dll", SearchOption.AllDirectories)
                .OrderByDescending(File.GetLastWriteTimeUtc).First();
        }

        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = repository,
        };
        foreach (var arg in (string[])[harness, .. arguments, "--out", output, "--repo", repository])
        {
            start.ArgumentList.Add(arg);
        }

        if (File.Exists(Path.Combine(repository, "Silo", "bin", "Release", "net10.0", "AiAgent.Silo.dll")))
        {
            start.ArgumentList.Add("--no-build"); // test.sh built the solution in Release
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the failover harness did not finish in 5 minutes:\n{await stdout}");
        }

        var log = await stdout + await stderr;
        var reportPath = Path.Combine(output, "report.json");
        Assert.True(File.Exists(reportPath), $"no report.json; the harness exited with {process.ExitCode}:\n{log}");
        var report = JsonDocument.Parse(await File.ReadAllTextAsync(reportPath)).RootElement;
        return (process.ExitCode, log.Length > 8000 ? log[^8000..] : log, report);
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AiAgent.Orleans.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("no AiAgent.Orleans.sln above the test binaries");
    }
}
