using AiAgent.Failover.Processes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime;
using StackExchange.Redis;

namespace AiAgent.Failover.Platform;

/// <summary>
/// Which silo hosts each call, asked of the cluster itself: an Orleans client (Redis membership, like the gateway)
/// calls the management grain for every activation and its silo. The call API does not say where a grain lives,
/// and Orleans' own answer stays right whatever the call grains are called or however they are rewritten: any
/// activation keyed by the call's UUID counts, the call grain's preferred.
/// </summary>
internal sealed class CallPlacement : IAsyncDisposable
{
    private readonly IHost _host;

    private CallPlacement(IHost host) => _host = host;

    /// <summary>Connects a client to the cluster; its own log goes to <c>orleans-client.log</c> in the run folder.</summary>
    public static async Task<CallPlacement> ConnectAsync(PlatformLayout layout, string redis, CancellationToken cancellationToken)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Information).AddProvider(new FileLoggerProvider(layout.LogPath("orleans-client")));
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = layout.ClusterId;
                o.ServiceId = layout.ClusterId;
            });
            client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(redis));
        });
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return new CallPlacement(host);
    }

    /// <summary>The silo-to-silo port of the silo hosting each of <paramref name="calls"/> that has an activation now.</summary>
    public async Task<IReadOnlyDictionary<Guid, int>> WhereAsync(IReadOnlyCollection<Guid> calls, CancellationToken cancellationToken)
    {
        var management = _host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
        var activations = await management.GetDetailedGrainStatistics().WaitAsync(cancellationToken).ConfigureAwait(false);
        var wanted = calls.ToHashSet();
        var hosts = new Dictionary<Guid, int>();
        foreach (var activation in activations.OrderByDescending(static a => a.GrainType.Contains("CallGrain", StringComparison.OrdinalIgnoreCase)))
        {
            if (activation.GrainId.TryGetGuidKey(out var key, out _) && wanted.Contains(key))
            {
                hosts.TryAdd(key, activation.SiloAddress.Endpoint.Port);
            }
        }

        return hosts;
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _host.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // A client whose silos are gone cannot close politely; it is being thrown away anyway.
        }

        _host.Dispose();
    }
}

/// <summary>Writes every log line of the Orleans client to one file (it is noisy while silos die).</summary>
internal sealed class FileLoggerProvider(string path) : ILoggerProvider
{
    private readonly LogFile _file = new(path);

    public ILogger CreateLogger(string categoryName) => new FileLogger(_file, categoryName);

    public void Dispose() => _file.Dispose();

    private sealed class FileLogger(LogFile file, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            file.Write($"{DateTimeOffset.UtcNow:O} {logLevel} {category}[{eventId.Id}] {formatter(state, exception)}");
            if (exception is not null)
            {
                file.Write(exception.ToString());
            }
        }
    }
}
