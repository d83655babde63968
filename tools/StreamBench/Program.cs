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
/// <c>--frames</c> 20 ms frames per event for every call, and measures publish-to-receive latency and the share of
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

        var cpuBefore = silo.TotalProcessorTime + Process.GetCurrentProcess().TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await client.GetGrain<IPublisherGrain>(0).RunAsync(callIds, options.FramesPerEvent, options.FrameBytes, TimeSpan.FromSeconds(options.Seconds));
        await Task.Delay(TimeSpan.FromSeconds(1)); // let in-flight chunks land
        silo.Refresh();
        var cpu = silo.TotalProcessorTime + Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        recorder.Print(cpu / wall.Elapsed * 100);

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
public sealed record BenchOptions(string Role, int Calls, int FramesPerEvent, int Seconds, int PullPeriodMs, int Queues, int FrameBytes, int SiloPort, int GatewayPort)
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
            int.Parse(Get("--pull-ms", "10")),
            int.Parse(Get("--queues", "8")),
            320,
            11_211,
            30_200);
    }
}

/// <summary>Publishes chunks for every call on a steady schedule from inside the silo, as call grains do.</summary>
public interface IPublisherGrain : IGrainWithIntegerKey
{
    Task RunAsync(Guid[] callIds, int framesPerEvent, int frameBytes, TimeSpan duration);
}

public sealed class PublisherGrain : Grain, IPublisherGrain
{
    public async Task RunAsync(Guid[] callIds, int framesPerEvent, int frameBytes, TimeSpan duration)
    {
        var provider = this.GetStreamProvider(CallStreams.ProviderName);
        var streams = callIds.Select(id => provider.GetStream<AgentStreamEvent>(CallStreams.AgentOutput(id))).ToArray();
        var period = TimeSpan.FromMilliseconds(20 * framesPerEvent);
        var payload = new byte[frameBytes * framesPerEvent];
        var sequence = 0L;
        var clock = Stopwatch.StartNew();
        var tick = 0;
        var slices = Math.Max(1, (int)(period.TotalMilliseconds / 10)); // spread calls over the period in 10 ms slices
        while (clock.Elapsed < duration)
        {
            var slice = tick % slices;
            var due = TimeSpan.FromMilliseconds(10 * tick);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var batch = new List<Task>();
            for (var i = slice; i < streams.Length; i += slices)
            {
                batch.Add(streams[i].OnNextAsync(new AgentAudioChunk(++sequence, 1, payload, DateTime.UtcNow)));
            }

            await Task.WhenAll(batch);
            tick++;
        }
    }
}

/// <summary>Collects latency (publish → receive) of every chunk.</summary>
public sealed class LatencyRecorder(BenchOptions options) : IAsyncObserver<AgentStreamEvent>
{
    private readonly Lock _lock = new();
    private readonly List<double> _latenciesMs = new(1 << 20);
    private long _errors;

    public Task OnNextAsync(AgentStreamEvent item, StreamSequenceToken? token = null)
    {
        if (item is AgentAudioChunk chunk)
        {
            var ms = (DateTime.UtcNow - chunk.ProviderReceivedAtUtc).TotalMilliseconds;
            lock (_lock)
            {
                _latenciesMs.Add(ms);
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

    public void Print(double cpuPercent)
    {
        double[] sorted;
        lock (_lock)
        {
            sorted = [.. _latenciesMs.Order()];
        }

        var expected = (long)options.Calls * options.Seconds * 1000 / (20 * options.FramesPerEvent);
        double P(double q) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(q * sorted.Length))];
        var onTime = sorted.Count(l => l <= 40);
        Console.WriteLine(
            $"calls={options.Calls} frames/event={options.FramesPerEvent} events/s={options.Calls * 1000.0 / (20 * options.FramesPerEvent):0} " +
            $"received={sorted.Length}/{expected} on-time(<=40ms)={100.0 * onTime / Math.Max(1, expected):0.00}% " +
            $"p50={P(0.50):0.0}ms p99={P(0.99):0.0}ms max={(sorted.Length == 0 ? double.NaN : sorted[^1]):0.0}ms cpu={cpuPercent:0}% of 200% errors={_errors}");
    }
}
