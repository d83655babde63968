using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AiAgent.Grains.Tests;

/// <summary>A real redis-server (Debian package) on a free loopback port, started for the tests and stopped after.</summary>
public class RedisServerFixture : IAsyncLifetime
{
    private readonly bool _persistent;
    private readonly string _directory = Directory.CreateTempSubdirectory("aiagent-redis-").FullName;
    private Process? _process;

    public RedisServerFixture()
        : this(persistent: false)
    {
    }

    /// <param name="persistent">Keep the data across <see cref="KillAsync"/> and <see cref="StartAsync"/>: an append-only file synced on every write, as a production Redis that must lose no acknowledged write.</param>
    protected RedisServerFixture(bool persistent) => _persistent = persistent;

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        Port = FreePort();
        await StartAsync();
    }

    /// <summary>Starts redis-server on <see cref="Port"/> (again, after <see cref="KillAsync"/>) and waits until it accepts connections.</summary>
    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--dir", _directory },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in _persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : new[] { "--appendonly", "no" })
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            _process = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("redis-server is not installed: run ./test.sh (it installs it) or apt-get install redis-server", ex);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while (true)
        {
            var line = await _process!.StandardOutput.ReadLineAsync(timeout.Token)
                ?? throw new InvalidOperationException("redis-server exited before it was ready");
            if (line.Contains("Ready to accept connections", StringComparison.Ordinal))
            {
                break;
            }
        }

        _ = _process.StandardOutput.ReadToEndAsync(); // keep draining so it never blocks on a full pipe
    }

    /// <summary>Starts redis-server again if a test left it killed.</summary>
    public async Task EnsureRunningAsync()
    {
        if (_process is null or { HasExited: true })
        {
            await StartAsync();
        }
    }

    /// <summary>Kills redis-server (SIGKILL, as a crash or a lost node: no shutdown save) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        _process = null;
    }

    public async Task DisposeAsync()
    {
        await KillAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A redis-server that keeps its data when it is killed and started again (append-only file, fsync always).</summary>
public sealed class PersistentRedisServerFixture() : RedisServerFixture(persistent: true);
