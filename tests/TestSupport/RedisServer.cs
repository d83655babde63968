using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AiAgent.Tests.Support;

/// <summary>
/// A real redis-server (Debian package) on a free loopback port, for tests that need Redis itself: it can be killed
/// (SIGKILL, as a crash) and started again on the same port, keeping its data when it is persistent.
/// </summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly bool _persistent;
    private readonly string _directory = Directory.CreateTempSubdirectory("aiagent-redis-").FullName;
    private Process? _process;

    private RedisServer(bool persistent, int port)
    {
        _persistent = persistent;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <param name="persistent">Keep the data across <see cref="KillAsync"/> and <see cref="StartAgainAsync"/>: an append-only file synced on every write, as a production Redis that must lose no acknowledged write.</param>
    public static async Task<RedisServer> StartAsync(bool persistent = false)
    {
        var server = new RedisServer(persistent, FreePort());
        await server.StartAgainAsync();
        return server;
    }

    /// <summary>Starts redis-server on <see cref="Port"/> (again, after <see cref="KillAsync"/>) and waits until it accepts connections.</summary>
    public async Task StartAgainAsync()
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

    /// <summary>Starts redis-server again if it was killed.</summary>
    public async Task EnsureRunningAsync()
    {
        if (_process is null or { HasExited: true })
        {
            await StartAgainAsync();
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

    public async ValueTask DisposeAsync()
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
