using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Silo.Hosting;
using AiAgent.Tests.Support;
using Orleans.TestingHost;

namespace AiAgent.Grains.Tests;

/// <summary>
/// A call restored at the next epoch after its silo is killed, and the fence between two activations, on two silos
/// with call records in a real Redis.
/// </summary>
public sealed class CallFailoverTests : IClassFixture<RedisServerFixture>, IAsyncLifetime
{
    private readonly RedisServerFixture _redis;
    private InProcessTestCluster _cluster = null!;

    public CallFailoverTests(RedisServerFixture redis) => _redis = redis;

    public async Task InitializeAsync()
    {
        var hosting = new HostingOptions { Storage = { Mode = "redis", Redis = _redis.ConnectionString } };
        _cluster = await TestClusterFixture.DeployAsync(hosting, config => TestClusterFixture.AddYaml(config, TestClusterFixture.Yaml));
        await _cluster.StartAdditionalSiloAsync();
        await _cluster.WaitForLivenessToStabilizeAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task A_call_whose_silo_is_killed_is_restored_at_the_next_epoch_and_carries_on_the_conversation()
    {
        await using var first = await CallProbe.StartAsync(_cluster.Client);
        await first.NextUtteranceAsync(); // greeting
        await TurnAsync(first);
        var live = await first.WaitForSnapshotAsync(s => s.Transcript.Any(l => l.Role == "agent"));
        var host = Assert.Single(_cluster.Silos, s => s.SiloAddress.ToString() == live.Silo);

        // Killed: no deactivation runs; nothing tells anyone. The gateway's ping fails and it restores at epoch 2.
        await _cluster.KillSiloAsync(host);
        await using var second = await CallProbe.AttachAsync(_cluster.Client, first.CallId, 2, first.Request, CallAttachReason.SiloLost);

        Assert.Equal(CallAttachOutcome.Restored, second.Started.Outcome);
        Assert.Equal(2, second.Started.Epoch);
        Assert.Equal("local", second.Started.Provider);
        var restored = await second.Grain.GetSnapshotAsync();
        Assert.Equal(1, restored.Failovers);
        Assert.NotEqual(live.Silo, restored.Silo);
        Assert.Equal(live.StartedAtUtc, restored.StartedAtUtc);
        Assert.Equal(live.Transcript.Select(l => l.Text), restored.Transcript.Take(live.Transcript.Count).Select(l => l.Text));

        // No greeting again: the next thing the caller hears is the answer to its next turn, from epoch 2.
        await TurnAsync(second);
        var (_, chunks) = await second.NextUtteranceAsync();
        Assert.NotEmpty(chunks);
        Assert.All(chunks, c => Assert.Equal(2, c.Epoch));
        await second.WaitForSnapshotAsync(s => s.Transcript.Count(l => l.Role == "agent") > live.Transcript.Count(l => l.Role == "agent"));
        Assert.Equal(CallLiveness.Live, await second.Grain.PingAsync(second.Started.Attachment));
        await second.Grain.HangupAsync(CallEndReason.CallerHangup);
    }

    [Fact]
    public async Task An_activation_replaced_while_still_alive_stops_at_its_next_write_and_never_overwrites_the_record()
    {
        await using var first = await CallProbe.StartAsync(_cluster.Client);
        await first.NextUtteranceAsync(); // greeting

        // A gateway that took epoch 1 for lost (a long pause, not a death) restores at epoch 2 while 1 still runs.
        await using var second = await CallProbe.AttachAsync(_cluster.Client, first.CallId, 2, first.Request, CallAttachReason.SiloLost);
        Assert.Equal(CallAttachOutcome.Restored, second.Started.Outcome);

        // Epoch 1 answers a turn; saving it is refused (the record's ETag moved): it stops.
        await TurnAsync(first);
        await Waits.UntilAsync(() => first.Grain.PingAsync(first.Started.Attachment).Result == CallLiveness.NotCarried, Waits.Long, "epoch 1 to stop");

        var record = await _cluster.Client.GetCallLocator().LocateAsync(first.CallId);
        Assert.Equal(2, record?.Epoch);
        Assert.Equal(CallState.Active, record?.State);
        Assert.Equal(CallLiveness.Live, await second.Grain.PingAsync(second.Started.Attachment));

        // An attach at the old epoch is sent on to the new one.
        var stale = await first.Grain.AttachAsync(new CallAttachRequest(first.Request, first.Output));
        Assert.Equal(CallAttachOutcome.Superseded, stale.Outcome);
        Assert.Equal(2, stale.Epoch);
        await second.Grain.HangupAsync(CallEndReason.CallerHangup);
    }

    [Fact]
    public async Task A_silo_shutting_down_hands_its_calls_over_and_the_next_epoch_restores_them()
    {
        await using var first = await CallProbe.StartAsync(_cluster.Client);
        await first.NextUtteranceAsync(); // greeting
        await TurnAsync(first);
        var live = await first.WaitForSnapshotAsync(s => s.Transcript.Any(l => l.Role == "agent"));
        var host = Assert.Single(_cluster.Silos, s => s.SiloAddress.ToString() == live.Silo);

        var stopping = _cluster.StopSiloAsync(host);
        var handover = await first.NextAsync<CallHandover>();
        Assert.Equal(2, handover.NextEpoch);
        await using var second = await CallProbe.AttachAsync(_cluster.Client, first.CallId, handover.NextEpoch, first.Request, CallAttachReason.Handover);
        await stopping;

        Assert.Equal(CallAttachOutcome.Restored, second.Started.Outcome);
        var restored = await second.Grain.GetSnapshotAsync();
        Assert.Equal(live.Transcript.Select(l => l.Text), restored.Transcript.Take(live.Transcript.Count).Select(l => l.Text));
        Assert.Equal(CallState.Active, restored.State);
        await second.Grain.HangupAsync(CallEndReason.CallerHangup);
    }

    private static async Task TurnAsync(CallProbe call)
    {
        await call.SendAsync(Signals.Tone(0.6));
        await call.SendAsync(Signals.Silence(0.8));
    }

    [Fact]
    public async Task A_connection_the_call_moved_away_from_can_no_longer_feed_or_end_it()
    {
        await using var first = await CallProbe.StartAsync(_cluster.Client);
        await first.NextUtteranceAsync(); // greeting

        // The dialplan connected again through another gateway: a second attach to the same epoch.
        await using var second = await CallProbe.AttachAsync(_cluster.Client, first.CallId, 1, first.Request, CallAttachReason.Connect);
        Assert.Equal(CallAttachOutcome.Reattached, second.Started.Outcome);
        Assert.Equal(first.Started.Attachment + 1, second.Started.Attachment);

        // The old connection learns it has been left, and its hang-up or detach changes nothing.
        Assert.Equal(CallLiveness.Moved, await first.Grain.PingAsync(first.Started.Attachment));
        await first.Grain.HangupAsync(CallEndReason.IdleTimeout, first.Started.Attachment);
        await first.Grain.DetachAsync(first.Started.Attachment);
        Assert.Equal(CallLiveness.Live, await second.Grain.PingAsync(second.Started.Attachment));

        // Its audio is dropped; the new connection's (numbered from 0 again) is heard and answered.
        await first.SendAsync(Signals.Tone(0.6), attachment: first.Started.Attachment);
        await second.SendAsync(Signals.Tone(0.6), attachment: second.Started.Attachment);
        await second.SendAsync(Signals.Silence(0.8), attachment: second.Started.Attachment);
        var (_, chunks) = await second.NextUtteranceAsync();
        Assert.NotEmpty(chunks);
        Assert.Equal(CallState.Active, (await second.Grain.GetSnapshotAsync()).State);
        await second.Grain.HangupAsync(CallEndReason.CallerHangup, second.Started.Attachment);
        Assert.Equal(CallState.Ended, (await second.Grain.GetSnapshotAsync()).State);
    }
}
