using System.Diagnostics;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace AiAgent.StreamBench;

/// <summary>
/// Stream-path benchmark. The parent process is the client (like a gateway): it starts a silo as a child
/// process, subscribes to one agent-output stream per simulated call, tells the silo to publish chunks of
/// <c>--frames</c> 20 ms frames per event from one grain per call, and measures publish-to-receive latency and the share of
/// chunks received within 40 ms of their due time. Usage:
/// <c>dotnet run -c Release --project tools/StreamBench -- --calls 1000 --frames 10 --seconds 20</c>.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var options = BenchOptions.Parse(args);
        return options.Role == "silo" ? await RunSiloAsync(options) : await RunClientAsync(options);
    }

    private static async Task<int> RunSiloAsync(BenchOptions options)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort);
            silo.AddAgentStorageAndStreams(new HostingOptions { Streams = { PullPeriodMs = options.PullPeriodMs, Queues = options.Queues } });
        });
        using var host = builder.Build();
        await host.StartAsync();
        Console.WriteLine("silo ready");
        // The client drives the run through the publisher grain; the silo lives until stdin closes.
        await Console.In.ReadToEndAsync();
        await host.StopAsync();
        return 0;
    }

    private static async Task<int> RunClientAsync(BenchOptions options)
    {
        using var silo = StartSiloProcess(options);
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.UseLocalhostClustering(options.GatewayPort);
            client.AddMemoryStreams(CallStreams.ProviderName);
        });
        using var host = builder.Build();
        await host.StartAsync();
        var client = host.Services.GetRequiredService<IClusterClient>();

        var recorder = new LatencyRecorder(options);
        var callIds = Enumerable.Range(0, options.Calls).Select(_ => Guid.NewGuid()).ToArray();
        var provider = client.GetStreamProvider(CallStreams.ProviderName);
        var handles = new List<StreamSubscriptionHandle<AgentStreamEvent>>();
        foreach (var chunk in callIds.Chunk(100))
        {
            handles.AddRange(await Task.WhenAll(chunk.Select(id =>
                provider.GetStream<AgentStreamEvent>(CallStreams.AgentOutput(id)).SubscribeAsync(recorder))));
        }

        foreach (var chunk in callIds.Chunk(100))
        {
            await Task.WhenAll(chunk.Select(id => client.GetGrain<IBenchCallGrain>(id).StartAsync(options.FramesPerEvent, options.FrameBytes, TimeSpan.FromSeconds(options.Seconds))));
        }

        // Steady state starts once every call publishes (activation and JIT are start-up, not the stream path).
        var startedAt = recorder.Now;
        var cpuBefore = silo.TotalProcessorTime + Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();

        await Task.Delay(TimeSpan.FromSeconds(options.Seconds + 1)); // the calls publish for Seconds; let the last chunks land
        silo.Refresh();
        var cpu = silo.TotalProcessorTime + Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        recorder.Print(cpu / wall.Elapsed * 100, startedAt);

        foreach (var handle in handles.Chunk(200))
        {
            await Task.WhenAll(handle.Select(h => h.UnsubscribeAsync()));
        }

        await host.StopAsync();
        silo.StandardInput.Close();
        await silo.WaitForExitAsync();
        return 0;
    }

    private static Process StartSiloProcess(BenchOptions options)
    {
        var self = Environment.ProcessPath!;
        var dll = typeof(Program).Assembly.Location;
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(dll);
        }

        foreach (var a in new[] { "--role", "silo", "--pull-ms", options.PullPeriodMs.ToString(), "--queues", options.Queues.ToString() })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start)!;
        while (process.StandardOutput.ReadLine() is { } line)
        {
            if (line == "silo ready")
            {
                return process;
            }

            Console.Error.WriteLine($"silo: {line}");
        }

        throw new InvalidOperationException("the silo process did not start");
    }
}

/// <summary>Command-line options.</summary>
public sealed record BenchOptions(string Role, int Calls, int FramesPerEvent, int Seconds, int WarmupSeconds, int PullPeriodMs, int Queues, int FrameBytes, int SiloPort, int GatewayPort)
{
    public static BenchOptions Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        return new BenchOptions(
            Get("--role", "client"),
            int.Parse(Get("--calls", "500")),
            int.Parse(Get("--frames", "10")),
            int.Parse(Get("--seconds", "20")),
            int.Parse(Get("--warmup", "3")),
            int.Parse(Get("--pull-ms", "10")),
            int.Parse(Get("--queues", "8")),
            320,
            11_211,
            30_200);
    }
}

/// <summary>
/// One simulated call: publishes a chunk on its own stream every chunk period, from its own activation, as a
/// CallGrain does (a grain timer is enough to generate load; the gateway, not the grain, is the media clock).
/// </summary>
public interface IBenchCallGrain : IGrainWithGuidKey
{
    Task StartAsync(int framesPerEvent, int frameBytes, TimeSpan duration);
}

public sealed class BenchCallGrain : Grain, IBenchCallGrain
{
    private IAsyncStream<AgentStreamEvent>? _stream;
    private IGrainTimer? _timer;
    private byte[] _payload = [];
    private long _sequence;
    private DateTime _stopAtUtc;

    public Task StartAsync(int framesPerEvent, int frameBytes, TimeSpan duration)
    {
        _stream = this.GetStreamProvider(CallStreams.ProviderName).GetStream<AgentStreamEvent>(CallStreams.AgentOutput(this.GetPrimaryKey()));
        _payload = new byte[frameBytes * framesPerEvent];
        _stopAtUtc = DateTime.UtcNow + duration;
        var period = TimeSpan.FromMilliseconds(20 * framesPerEvent);
        var firstDue = TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * period.TotalMilliseconds);
        _timer = this.RegisterGrainTimer(PublishAsync, new GrainTimerCreationOptions(firstDue, period));
        return Task.CompletedTask;
    }

    private async Task PublishAsync(CancellationToken cancellationToken)
    {
        if (DateTime.UtcNow >= _stopAtUtc)
        {
            _timer?.Dispose();
            DeactivateOnIdle();
            return;
        }

        await _stream!.OnNextAsync(new AgentAudioChunk(++_sequence, 1, _payload, DateTime.UtcNow));
    }
}

/// <summary>Collects latency (publish → receive) of every chunk.</summary>
public sealed class LatencyRecorder(BenchOptions options) : IAsyncObserver<AgentStreamEvent>
{
    private readonly Lock _lock = new();
    private readonly List<(double AtSeconds, double LatencyMs)> _samples = new(1 << 20);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _errors;

    public Task OnNextAsync(AgentStreamEvent item, StreamSequenceToken? token = null)
    {
        if (item is AgentAudioChunk chunk)
        {
            var ms = (DateTime.UtcNow - chunk.ProviderReceivedAtUtc).TotalMilliseconds;
            lock (_lock)
            {
                _samples.Add((_clock.Elapsed.TotalSeconds, ms));
            }
        }

        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        Interlocked.Increment(ref _errors);
        return Task.CompletedTask;
    }

    /// <summary>Prints the figures, over the whole run and in steady state (after the first <c>--warmup</c> seconds).</summary>
    public void Print(double cpuPercent, double startedAtSeconds)
    {
        (double AtSeconds, double LatencyMs)[] samples;
        lock (_lock)
        {
            samples = [.. _samples];
        }

        var expected = (long)options.Calls * options.Seconds * 1000 / (20 * options.FramesPerEvent);
        Console.WriteLine(
            $"calls={options.Calls} frames/event={options.FramesPerEvent} events/s={options.Calls * 1000.0 / (20 * options.FramesPerEvent):0} " +
            $"received={samples.Length}/{expected} cpu={cpuPercent:0}% of 200% errors={_errors}");
        Describe("whole run", samples.Select(s => s.LatencyMs));
        Describe($"steady (after {options.WarmupSeconds} s)", samples.Where(s => s.AtSeconds - startedAtSeconds >= options.WarmupSeconds).Select(s => s.LatencyMs));
    }

    public double Now => _clock.Elapsed.TotalSeconds;

    private static void Describe(string label, IEnumerable<double> latencies)
    {
        var sorted = latencies.Order().ToArray();
        if (sorted.Length == 0)
        {
            Console.WriteLine($"  {label}: no samples");
            return;
        }

        double P(double q) => sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        var onTime = sorted.Count(l => l <= 40) * 100.0 / sorted.Length;
        Console.WriteLine($"  {label}: n={sorted.Length} p50={P(0.50):0.0}ms p99={P(0.99):0.0}ms p99.9={P(0.999):0.0}ms max={sorted[^1]:0.0}ms within-40ms={onTime:0.00}%");
    }
}
