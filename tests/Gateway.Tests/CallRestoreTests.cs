using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Tests.Support;

namespace AiAgent.Gateway.Tests;

/// <summary>
/// The gateway's side of a failover against fake call grains: a call whose activation stops answering its liveness
/// ping is restored at the next epoch, with the caller's unanswered audio replayed to it first, numbered from 0.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CallRestoreTests(ClusterFixture fixture)
{
    private static readonly TimeSpan s_timeout = Waits.Long;

    [Fact]
    public async Task An_activation_that_stops_answering_is_replaced_at_the_next_epoch_and_gets_the_unanswered_audio()
    {
        await using var call = await LiveCall.StartAsync(fixture);
        var (asterisk, callId, record) = (call.Asterisk, call.CallId, call.Record);

        // Speech the fake echoes (agent audio: answered), then silence it does not (unanswered since the last answer).
        await asterisk.SendAudioAsync(Filled(320, 0x21));
        await asterisk.ReadAudioUntilAsync(f => f.Any(x => x.All(b => b == 0x21)));
        for (var i = 0; i < 5; i++)
        {
            await asterisk.SendAudioAsync(new byte[320]);
        }

        await Waits.UntilAsync(() => record.AudioByEpoch.Count(a => a.Epoch == 1) >= 6, s_timeout, "6 frames at epoch 1");
        await FakeCallGrain.Control(fixture.Cluster.Client, callId).StopAnsweringAsync();

        await Waits.UntilAsync(() => record.Attaches.Any(a => a.Epoch == 2), s_timeout, "the restore at epoch 2");
        Assert.Equal((2, CallAttachReason.SiloLost), record.Attaches.Single(a => a.Epoch == 2));
        await Waits.UntilAsync(() => record.AudioByEpoch.Count(a => a.Epoch == 2) >= 5, s_timeout, "the replay at epoch 2");
        var replayed = record.AudioByEpoch.Where(a => a.Epoch == 2).OrderBy(a => a.Sequence).Take(5).ToList();
        Assert.Equal([0L, 1, 2, 3, 4], replayed.Select(a => a.Sequence));
        Assert.All(replayed, a => Assert.All(a.Audio, b => Assert.Equal(0, b))); // the silence, not the answered speech

        // The call goes on at epoch 2: new caller audio reaches it, numbered after the replay.
        await asterisk.SendAudioAsync(Filled(320, 0x33));
        await Waits.UntilAsync(() => record.AudioByEpoch.Any(a => a.Epoch == 2 && a.Audio[0] == 0x33), s_timeout, "live audio at epoch 2");
        Assert.True(record.AudioByEpoch.Single(a => a.Epoch == 2 && a.Audio[0] == 0x33).Sequence >= 5);
        Assert.False(record.HungUp.Task.IsCompleted);
    }

    [Fact]
    public async Task An_activation_that_ended_the_call_is_never_restored_and_the_call_hangs_up_without_its_end_event()
    {
        await using var call = await LiveCall.StartAsync(fixture);
        var (asterisk, callId, record) = (call.Asterisk, call.CallId, call.Record);

        // The grain ends the call (as when the agent hangs up), but its end event never reaches the gateway.
        await FakeCallGrain.Control(fixture.Cluster.Client, callId).EndWithoutEventAsync();

        // Without the event the gateway still hangs up (after its grace), and it never restores the ended call.
        await asterisk.ReadUntilClosedAsync(expectHangup: true).WaitAsync(s_timeout);
        Assert.DoesNotContain(record.Attaches, a => a.Epoch > CallGrainKeys.FirstEpoch);
    }

    [Fact]
    public async Task A_restore_skips_an_epoch_whose_activation_does_not_answer_without_sending_it_the_attach()
    {
        await using var call = await LiveCall.StartAsync(fixture, static record => record.UnreachableEpochs[2] = true);
        var (callId, record) = (call.CallId, call.Record);

        await FakeCallGrain.Control(fixture.Cluster.Client, callId).StopAnsweringAsync();

        // The probe at epoch 2 gets no answer within its short timeout, so the attach (which may wait many seconds for
        // a provider session) is never sent there: the call is restored at epoch 3.
        await Waits.UntilAsync(() => record.Attaches.Any(a => a.Epoch == 3), s_timeout, "the restore at epoch 3");
        Assert.DoesNotContain(record.Attaches, a => a.Epoch == 2);
        Assert.False(record.HungUp.Task.IsCompleted);
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    /// <summary>A gateway that pings each call every 100 ms, and one call on it, started (its record prepared first).</summary>
    private sealed class LiveCall : IAsyncDisposable
    {
        private readonly GatewayHost _gateway;

        private LiveCall(GatewayHost gateway, FakeAsterisk asterisk, Guid callId, FakeCallRecord record) =>
            (_gateway, Asterisk, CallId, Record) = (gateway, asterisk, callId, record);

        public FakeAsterisk Asterisk { get; }

        public Guid CallId { get; }

        public FakeCallRecord Record { get; }

        public static async Task<LiveCall> StartAsync(ClusterFixture fixture, Action<FakeCallRecord>? prepare = null)
        {
            var gateway = await GatewayHost.StartAsync(fixture, new Dictionary<string, string?> { ["audiosocket:liveness_ms"] = "100" });
            var callId = Guid.NewGuid();
            var record = fixture.Calls.For(callId);
            prepare?.Invoke(record);
            var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
            var call = new LiveCall(gateway, asterisk, callId, record);
            try
            {
                await asterisk.SendUuidAsync(callId);
                await record.Started.Task.WaitAsync(s_timeout);
                return call;
            }
            catch
            {
                await call.DisposeAsync();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Asterisk.DisposeAsync();
            await _gateway.DisposeAsync();
        }
    }
}
