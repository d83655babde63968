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

    /// <summary>
    /// The calls of a harness run that must have gone well: exit code 0, no failures, one run of
    /// <paramref name="expected"/> calls, and the event hit at least one of them.
    /// </summary>
    public static List<JsonElement> CallsOfTheOneRun(int exitCode, string log, JsonElement report, int expected)
    {
        Assert.True(exitCode == 0, $"the harness exited with {exitCode}:\n{log}");
        Assert.Empty(report.GetProperty("failures").EnumerateArray());
        var calls = Assert.Single(report.GetProperty("runs").EnumerateArray()).GetProperty("calls").EnumerateArray().ToList();
        Assert.Equal(expected, calls.Count);
        Assert.Contains(calls, c => c.GetProperty("onTarget").GetBoolean()); // the event hit calls, not an idle node
        return calls;
    }

    /// <summary>
    /// One call talked on across <paramref name="what"/>: not dropped, turns after it all answered, its transcript
    /// continued, and its longest wait for an answer across it within <paramref name="maxWait"/>.
    /// </summary>
    public static void AssertTalkedOn(JsonElement call, TimeSpan maxWait, string what)
    {
        var id = call.GetProperty("callId").GetString();
        Assert.False(call.GetProperty("dropped").GetBoolean(), $"call {id} dropped: {call.GetProperty("dropReason")}");
        Assert.True(call.GetProperty("turnsAfterEvent").GetInt32() > 0, $"call {id} had no turn after the {what}");
        Assert.Equal(0, call.GetProperty("unansweredAfterEvent").GetInt32());
        Assert.True(call.GetProperty("transcriptBeforeAndAfter").GetBoolean(), $"call {id}: transcript not continued");
        var wait = TimeSpan.FromMilliseconds(call.GetProperty("longestWaitSpanningEventMs").GetDouble());
        Assert.True(wait <= maxWait, $"call {id} waited {wait.TotalMilliseconds:0} ms for an answer across the {what}");
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
