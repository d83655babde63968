using System.Buffers.Binary;
using AiAgent.CallSim.Protocol;
using AiAgent.Emulators.Ari;
using AiAgent.Grains.Asterisk.Ari;

namespace AiAgent.Asterisk.Tests;

/// <summary>
/// A caller driven frame by frame (<see cref="IAriCallerAudio"/>): it is asked for every 20 ms on its own clock, each
/// frame goes to the media leg in its bridge at that moment, and every frame from a gateway reaches it with the leg it
/// came on, across the end of one leg and a new one added to the same bridge.
/// </summary>
public sealed class DrivenCallerTests
{
    [Fact]
    public async Task The_callers_frames_go_to_whichever_leg_is_bridged_and_the_gateways_frames_reach_it_across_a_leg_switch()
    {
        await using var h = await AriHarness.StartAsync();
        var gatewayA = new LoopbackGateway();
        await using var gatewayB = new LoopbackGateway();
        var caller = new CountingCaller();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App, ["arg1"], new AriCallOptions { Caller = caller, CallerFormat = "slin16" });
        Assert.True(call.IsDriven);
        await h.Client.AnswerAsync(call.ChannelId);
        var bridge = await h.Client.CreateBridgeAsync();
        await h.Client.AddChannelsAsync(bridge.Id, [call.ChannelId]);
        var legA = await BridgedLegAsync(h, gatewayA, bridge);

        // Leg A: the caller's frames, one per tick, none skipped or repeated.
        var onA = await CallerFramesAsync(gatewayA, 10);
        Assert.Equal(Enumerable.Range(onA[0], 10), onA);
        await gatewayA.SendAsync(AudioSocketKind.AudioSlin16, Reply(0x42));
        await gatewayA.SendAsync(AudioSocketKind.AudioSlin16, Reply(0x42));
        await Waits.UntilAsync(() => caller.HeardOn(legA.Id) == 2, what: "two frames from leg A at the caller");

        // Leg A ends (the gateway closes); the caller stays in the bridge and goes on talking with no leg.
        await gatewayA.DisposeAsync();
        await h.UntilAsync<ChannelDestroyedEvent>(d => d.Channel.Id == legA.Id);
        var lastOnA = onA[^1];
        await Waits.UntilAsync(() => caller.Said > lastOnA + 10, what: "the caller talking on with no leg bridged");
        var legB = await BridgedLegAsync(h, gatewayB, bridge);

        // Leg B receives the caller from the moment it joins: newer frames, not the ones said into a bridge of one.
        var onB = await CallerFramesAsync(gatewayB, 10);
        Assert.True(onB[0] > lastOnA + 10, $"leg B's first frame {onB[0]}, leg A's last {lastOnA}");
        Assert.Equal(Enumerable.Range(onB[0], 10), onB);
        await gatewayB.SendAsync(AudioSocketKind.AudioSlin16, Reply(0x24));
        await Waits.UntilAsync(() => caller.HeardOn(legB.Id) == 1, what: "a frame from leg B at the caller");

        Assert.Equal(2, call.MediaLegsUsed);
        Assert.InRange(Assert.Single(call.HeardLegSwitchGaps), TimeSpan.Zero, Waits.Long);
        Assert.Single(call.MediaLegSwitchGaps);
        Assert.Equal([(legA.Id, 0x42), (legA.Id, 0x42), (legB.Id, 0x24)], caller.HeardFrames.Select(f => (f.Leg, f.FirstByte)));
        Assert.True(caller.HeardFrames.Zip(caller.HeardFrames.Skip(1)).All(p => p.First.At <= p.Second.At), "arrival times in order");
        Assert.Empty(call.HeardAudio()); // a driven caller is handed every frame; the emulator keeps no copy
    }

    /// <summary>An external-media leg to <paramref name="gateway"/>, in Stasis and added to <paramref name="bridge"/>.</summary>
    private static async Task<AriChannel> BridgedLegAsync(AriHarness h, LoopbackGateway gateway, AriBridge bridge)
    {
        var leg = await h.Client.CreateExternalMediaAsync(AriHarness.App, gateway.HostPort, "slin16", Guid.NewGuid());
        Assert.Equal(AudioSocketKind.Uuid, (await gateway.NextFrameAsync()).Kind);
        await h.UntilAsync<StasisStartEvent>(s => s.Channel.Id == leg.Id);
        await h.Client.AddChannelsAsync(bridge.Id, [leg.Id]);
        return leg;
    }

    /// <summary>The counters of the next <paramref name="count"/> caller frames the gateway receives.</summary>
    private static async Task<List<int>> CallerFramesAsync(LoopbackGateway gateway, int count)
    {
        var counters = new List<int>(count);
        while (counters.Count < count)
        {
            var (kind, payload) = await gateway.NextFrameAsync();
            Assert.Equal((AudioSocketKind.AudioSlin16, 640), (kind, payload.Length));
            counters.Add(BinaryPrimitives.ReadInt32LittleEndian(payload));
        }

        return counters;
    }

    private static byte[] Reply(byte value) => Enumerable.Repeat(value, 640).ToArray();

    /// <summary>Numbers its frames (the first four bytes) and records what it hears.</summary>
    private sealed class CountingCaller : IAriCallerAudio
    {
        private readonly List<(string Leg, byte FirstByte, long At)> _heard = [];
        private int _said;

        /// <summary>Frames said so far (the next frame's number).</summary>
        public int Said => Volatile.Read(ref _said);

        public IReadOnlyList<(string Leg, byte FirstByte, long At)> HeardFrames
        {
            get
            {
                lock (_heard)
                {
                    return [.. _heard];
                }
            }
        }

        public int HeardOn(string leg) => HeardFrames.Count(f => f.Leg == leg);

        public void NextFrame(Span<byte> frame, long timestamp)
        {
            frame.Fill(1);
            BinaryPrimitives.WriteInt32LittleEndian(frame, Volatile.Read(ref _said));
            Interlocked.Increment(ref _said);
        }

        public void Heard(ReadOnlySpan<byte> payload, long arrivedAt, string mediaLegId)
        {
            lock (_heard)
            {
                _heard.Add((mediaLegId, payload[0], arrivedAt));
            }
        }
    }
}
