using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;

namespace AiAgent.EndToEnd.Tests;

/// <summary>
/// A host of the platform run as a user runs it (<c>dotnet AiAgent.X.dll …</c>), with its log captured: the silo
/// (<see cref="PlatformProcess"/>) or a standalone gateway (<see cref="GatewayProcess"/>). Stopped with SIGTERM, as
/// Kubernetes and Ctrl+C do, or killed with SIGKILL.
/// </summary>
public abstract partial class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    protected HostProcess(ProcessStartInfo start)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _log.Enqueue(e.Data); } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _log.Enqueue(e.Data); } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Log => string.Join(Environment.NewLine, _log);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The warnings and errors logged so far, each with its message line (for a failing assertion's message).</summary>
    public string Warnings()
    {
        var lines = _log.ToArray();
        return string.Join(Environment.NewLine, lines
            .Select((line, i) => (line, i))
            .Where(l => l.line.StartsWith("warn:", StringComparison.Ordinal) || l.line.StartsWith("fail:", StringComparison.Ordinal))
            .Select(l => l.i + 1 < lines.Length ? l.line + lines[l.i + 1] : l.line));
    }

    /// <summary>How many log lines match so far.</summary>
    public int CountLog(Func<string, bool> match) => _log.Count(match);

    /// <summary>Waits until a log line matches (the host logs asynchronously to the call).</summary>
    public async Task<string> WaitForLogAsync(Func<string, bool> match, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            if (_log.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            try
            {
                await Task.Delay(50, cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no matching log line; the log so far:{Environment.NewLine}{Log}");
            }
        }
    }

    /// <summary>SIGTERM: the graceful stop (a gateway drains its calls first).</summary>
    public void Terminate() => _ = SendSignal(_process.Id, 15);

    /// <summary>SIGKILL: the process dies at once, its sockets closed by the kernel.</summary>
    public void Kill() => _ = SendSignal(_process.Id, 9);

    /// <summary>Waits for the process to exit; false when it is still running after <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Terminate();
            if (!await WaitForExitAsync(TimeSpan.FromSeconds(20)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Launches a host on ports <see cref="FreePort"/> handed out and waits until <paramref name="readyUrl"/> answers. Such a
    /// port is free when handed out but not reserved: another test's outgoing connection can take it as its local port
    /// before the host binds it, so a host that exits for a taken port is launched again (new ports, at most 3 times).
    /// </summary>
    protected static async Task<T> StartOnFreePortsAsync<T>(Func<T> launch, Func<T, string> readyUrl)
        where T : HostProcess
    {
        for (var attempt = 1; ; attempt++)
        {
            var host = launch();
            try
            {
                await host.WaitUntilReadyAsync(readyUrl(host));
                return host;
            }
            catch (InvalidOperationException) when (attempt < 3 && host.HasExited && host.Log.Contains(PortTaken, StringComparison.Ordinal))
            {
                await host.DisposeAsync();
            }
        }
    }

    /// <summary>What the hosts write when a port they listen on is taken (<c>HostStartup</c>).</summary>
    public const string PortTaken = "Cannot start: a port is already in use";

    /// <summary>Polls <paramref name="readyUrl"/> until it answers 2xx; throws when the process exits or 90 s pass.</summary>
    protected async Task WaitUntilReadyAsync(string readyUrl)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the process exited with {_process.ExitCode}:{Environment.NewLine}{Log}");
            }

            try
            {
                using var response = await http.GetAsync(readyUrl);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"{readyUrl} did not become ready:{Environment.NewLine}{Log}");
    }

    /// <summary>The built <paramref name="assembly"/> of <paramref name="project"/> (same configuration as the tests).</summary>
    protected static string AssemblyPath(string project, string assembly)
    {
        var configuration = typeof(HostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AiAgent.Orleans.sln")))
            {
                var path = Path.Combine(dir.FullName, project, "bin", configuration, "net10.0", assembly);
                return File.Exists(path) ? path : throw new FileNotFoundException($"build {project} first", path);
            }
        }

        throw new DirectoryNotFoundException("repository root not found above the test binaries");
    }

    protected static ProcessStartInfo Dotnet(IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet");
        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        return start;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
