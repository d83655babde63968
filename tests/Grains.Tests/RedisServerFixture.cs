using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AiAgent.Grains.Tests;

/// <summary>A real redis-server (Debian package) on a free loopback port, started for the tests and stopped after.</summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private Process? _process;

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public async Task InitializeAsync()
    {
        Port = FreePort();
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
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

    public Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process?.Dispose();
        return Task.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
