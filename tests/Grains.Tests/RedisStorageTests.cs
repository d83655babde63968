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
        var history = await _cluster.Client.ReadCallSnapshotAsync(callId) ?? throw new InvalidOperationException("no record");

        Assert.Equal(CallState.Ended, history.State);
        Assert.Equal(CallEndReason.CallerHangup, history.EndReason);
        Assert.Equal("local", history.Provider);
        Assert.Contains(history.Transcript, l => l.Role == "dtmf" && l.Text == "7");
        Assert.Equal(1, history.Counters.DtmfDigits);
    }

    [Fact]
    public async Task A_live_call_whose_silo_dies_keeps_its_transcript_up_to_the_last_turn()
    {
        await using var call = await CallProbe.StartAsync(_cluster.Client);
        await call.NextUtteranceAsync(); // greeting
        await call.SendAsync(Signals.Tone(0.6));
        await call.SendAsync(Signals.Silence(0.8));
        await call.NextUtteranceAsync(); // the agent's answer ends the turn: the record is saved
        var live = await call.WaitForSnapshotAsync(s => s.Transcript.Any(l => l.Role == "agent" && l.Text.Contains("echo", StringComparison.Ordinal)));

        // Killed, not stopped: no deactivation runs, so nothing is written at hang-up. What the next activation
        // finds is what the turn's end saved.
        var old = _cluster.Silos[0];
        await _cluster.StartAdditionalSiloAsync();
        await _cluster.KillSiloAsync(old);
        await _cluster.WaitForLivenessToStabilizeAsync();
        var restored = await _cluster.Client.ReadCallSnapshotAsync(call.CallId) ?? throw new InvalidOperationException("no record");

        Assert.Equal(CallState.Active, restored.State); // the last write was a turn's end, not the hang-up
        Assert.Contains(restored.Transcript, l => l.Role == "caller");
        Assert.Contains(restored.Transcript, l => l.Role == "agent" && l.Text.Contains("echo", StringComparison.Ordinal));
        Assert.True(restored.Transcript.Count <= live.Transcript.Count);
    }
}
