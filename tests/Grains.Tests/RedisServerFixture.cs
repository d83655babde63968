using AiAgent.Tests.Support;

namespace AiAgent.Grains.Tests;

/// <summary>A real redis-server (<see cref="RedisServer"/>) on a free loopback port, started for a test class and stopped after.</summary>
public class RedisServerFixture : IAsyncLifetime
{
    private readonly bool _persistent;
    private RedisServer _server = null!;

    public RedisServerFixture()
        : this(persistent: false)
    {
    }

    protected RedisServerFixture(bool persistent) => _persistent = persistent;

    public int Port => _server.Port;

    public string ConnectionString => _server.ConnectionString;

    public async Task InitializeAsync() => _server = await RedisServer.StartAsync(_persistent);

    /// <summary>Starts redis-server again on the same port after <see cref="KillAsync"/>.</summary>
    public Task StartAsync() => _server.StartAgainAsync();

    /// <summary>Starts redis-server again if a test left it killed.</summary>
    public Task EnsureRunningAsync() => _server.EnsureRunningAsync();

    /// <summary>Kills redis-server (SIGKILL) and waits until it is gone.</summary>
    public Task KillAsync() => _server.KillAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();
}

/// <summary>A redis-server that keeps its data when it is killed and started again (append-only file, fsync always).</summary>
public sealed class PersistentRedisServerFixture() : RedisServerFixture(persistent: true);
