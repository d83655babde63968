using AiAgent.Failover.Processes;
using Microsoft.Extensions.Logging;

namespace AiAgent.Failover.Platform;

/// <summary>
/// redis-server on a free loopback port with its data in the run's folder. Append-only persistence is on, as in
/// k8s/redis.yaml, so a restart keeps membership, call records and stream subscriptions.
/// </summary>
internal sealed class RedisServer(PlatformLayout layout, int port, ILogger logger) : IAsyncDisposable
{
    private static readonly TimeSpan s_readyTimeout = TimeSpan.FromSeconds(30);

    private ChildProcess? _process;

    /// <summary>The port.</summary>
    public int Port => port;

    /// <summary>The StackExchange.Redis configuration string.</summary>
    public string ConnectionString => $"127.0.0.1:{port}";

    /// <summary>The process, while one has been started.</summary>
    public ChildProcess? Process => _process;

    /// <summary>Starts redis-server and waits until it answers PING.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false); // a restart: the previous process has exited
        }

        var data = Path.Combine(layout.OutputDirectory, "redis-data");
        Directory.CreateDirectory(data);
        var startedAt = DateTimeOffset.UtcNow;
        try
        {
            _process = ChildProcess.Start(
                "redis",
                "redis-server",
                ["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", data,
                 "--appendonly", "yes", "--save", ""],
                layout.LogPath("redis"),
                layout.OutputDirectory,
                logger);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed (apt-get install redis-server; ./test.sh installs it)", ex);
        }

        await Readiness.WaitForRedisAsync(_process, port, s_readyTimeout, cancellationToken).ConfigureAwait(false);
        Log.ProcessReady(logger, "redis", (DateTimeOffset.UtcNow - startedAt).TotalSeconds);
    }

    /// <summary>SIGTERM (Redis writes its append-only file and exits), SIGKILL after 10 s.</summary>
    public Task<bool> StopAsync(CancellationToken cancellationToken) =>
        _process?.StopAsync(TimeSpan.FromSeconds(10), cancellationToken) ?? Task.FromResult(true);

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync().ConfigureAwait(false);
        }
    }
}
