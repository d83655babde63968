using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;

namespace AiAgent.EndToEnd.Tests;

/// <summary>
/// The platform as a user starts it (<c>dotnet AiAgent.Silo.dll --config FILE</c>, gateway co-hosted), on free
/// ports, with its log captured. Stopped with SIGTERM, as Kubernetes and Ctrl+C do.
/// </summary>
public sealed partial class PlatformProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private PlatformProcess(Process process, string configPath, int audioSocketPort, int httpPort)
    {
        _process = process;
        ConfigPath = configPath;
        AudioSocketPort = audioSocketPort;
        HttpPort = httpPort;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { _log.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { _log.Enqueue(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string ConfigPath { get; }

    public int AudioSocketPort { get; }

    public int HttpPort { get; }

    public string Log => string.Join(Environment.NewLine, _log);

    public static async Task<PlatformProcess> StartAsync(string yaml, IReadOnlyDictionary<string, string>? environment = null)
    {
        var directory = Directory.CreateTempSubdirectory("aiagent-e2e-").FullName;
        var configPath = Path.Combine(directory, "ai-agent.yaml");
        await File.WriteAllTextAsync(configPath, yaml);
        int audioSocket = FreePort(), http = FreePort(), silo = FreePort(), orleansGateway = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     SiloAssemblyPath(), "--config", configPath,
                     $"--audiosocket:port={audioSocket}", "--audiosocket:host=127.0.0.1", $"--silo:http_port={http}",
                     $"--clustering:silo_port={silo}", $"--clustering:gateway_port={orleansGateway}",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var platform = new PlatformProcess(Process.Start(start)!, configPath, audioSocket, http);
        await platform.WaitUntilReadyAsync();
        return platform;
    }

    /// <summary>How many log lines match so far.</summary>
    public int CountLog(Func<string, bool> match) => _log.Count(match);

    /// <summary>Waits until a log line matches (the platform logs asynchronously to the call).</summary>
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

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _ = SendSignal(_process.Id, 15); // SIGTERM: graceful shutdown
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
        Directory.Delete(Path.GetDirectoryName(ConfigPath)!, recursive: true);
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the platform exited with {_process.ExitCode}:{Environment.NewLine}{Log}");
            }

            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{HttpPort}/health/ready");
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

        throw new TimeoutException($"the platform did not become ready:{Environment.NewLine}{Log}");
    }

    private static string SiloAssemblyPath()
    {
        var configuration = typeof(PlatformProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "AiAgent.Orleans.sln")))
            {
                var path = Path.Combine(dir.FullName, "Silo", "bin", configuration, "net10.0", "AiAgent.Silo.dll");
                return File.Exists(path) ? path : throw new FileNotFoundException("build the Silo first", path);
            }
        }

        throw new DirectoryNotFoundException("repository root not found above the test binaries");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);
}
