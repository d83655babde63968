using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Silo.Hosting;
using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;

namespace AiAgent.Grains.Tests;

/// <summary>Call records and stream subscriptions on a real Redis, as in a cluster deployment.</summary>
public sealed class RedisStorageTests : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly RedisServerFixture _redis;
    private InProcessTestCluster _cluster = null!;

    public RedisStorageTests(RedisServerFixture redis) => _redis = redis;

    public async Task InitializeAsync()
    {
        var hosting = new HostingOptions { Storage = { Mode = "redis", Redis = _redis.ConnectionString } };
        _cluster = await TestClusterFixture.DeployAsync(hosting, config => TestClusterFixture.AddYaml(config, TestClusterFixture.Yaml));
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task An_ended_call_is_read_back_from_redis_after_its_silo_restarts()
    {
        Guid callId;
        await using (var call = await CallProbe.StartAsync(_cluster.Client))
        {
            callId = call.CallId;
            await call.NextUtteranceAsync();
            await call.Grain.SendDtmfAsync('7');
            await call.Grain.HangupAsync(CallEndReason.CallerHangup);
        }

        // A new silo has nothing in memory: the record can only come from Redis.
        var old = _cluster.Silos[0];
        await _cluster.StartAdditionalSiloAsync();
        await _cluster.StopSiloAsync(old);
        await _cluster.WaitForLivenessToStabilizeAsync();
        var history = await _cluster.Client.GetGrain<ICallGrain>(callId).GetSnapshotAsync();

        Assert.Equal(CallState.Ended, history.State);
        Assert.Equal(CallEndReason.CallerHangup, history.EndReason);
        Assert.Equal("local", history.Provider);
        Assert.Contains(history.Transcript, l => l.Role == "dtmf" && l.Text == "7");
        Assert.Equal(1, history.Counters.DtmfDigits);
    }
}
