using AiAgent.CallSim.Protocol;
using AiAgent.Grains.Asterisk.Ari;

namespace AiAgent.Asterisk.Tests;

/// <summary>
/// The emulator, driven through the client, reproduces each recorded scenario (Captures/): the same event types in the
/// same order with the same key fields, and event JSON with the same property paths as Asterisk's.
/// </summary>
public sealed class RecordedSequenceTests
{
    [Fact]
    public async Task Answer_variable_dtmf_continue()
    {
        await using var h = await AriHarness.StartAsync();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App, ["arg1"]);
        var start = await h.NextAsync<StasisStartEvent>();
        await h.Client.AnswerAsync(call.ChannelId);
        await h.Client.SetVariableAsync(call.ChannelId, "X", "Y");
        await call.SendDtmfAsync('5', 100);
        await h.Client.ContinueAsync(call.ChannelId, "ari", "301", 1);
        var events = await h.UntilAsync<StasisEndEvent>();
        AssertLike(Captures.AnswerVariableDtmfContinue, [start, .. events], h);
    }

    [Fact]
    public async Task Continue_only()
    {
        await using var h = await AriHarness.StartAsync();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App, ["arg1"]);
        var start = await h.NextAsync<StasisStartEvent>();
        await h.Client.AnswerAsync(call.ChannelId);
        await h.Client.ContinueAsync(call.ChannelId, "ari", "301", 1);
        AssertLike(Captures.ContinueOnly, [start, .. await h.UntilAsync<StasisEndEvent>()], h);
    }

    [Fact]
    public async Task Delete_without_a_channel_subscription_ends_at_StasisEnd()
    {
        await using var h = await AriHarness.StartAsync();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App, ["arg1"]);
        var start = await h.NextAsync<StasisStartEvent>();
        await h.Client.AnswerAsync(call.ChannelId);
        Assert.True(await h.Client.HangupAsync(call.ChannelId));
        var events = await h.UntilAsync<StasisEndEvent>();
        // Nothing after StasisEnd: a marker event shows the stream went on without a ChannelDestroyed.
        var marker = await h.Emulator.PlaceCallAsync(AriHarness.App, ["marker"]);
        Assert.Equal(marker.ChannelId, (await h.NextAsync<StasisStartEvent>()).Channel.Id);
        AssertLike(Captures.Delete, [start, .. events], h);
    }

    [Fact]
    public async Task Delete_with_a_channel_subscription_ends_with_ChannelDestroyed()
    {
        await using var h = await AriHarness.StartAsync();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App, ["arg1"]);
        var start = await h.NextAsync<StasisStartEvent>();
        await h.Client.SubscribeAsync(AriHarness.App, "channel:" + call.ChannelId);
        await h.Client.AnswerAsync(call.ChannelId);
        await h.Client.HangupAsync(call.ChannelId);
        AssertLike(Captures.DeleteWithChannelSubscription, [start, .. await h.UntilAsync<ChannelDestroyedEvent>()], h);
    }

    [Fact]
    public async Task External_media_bridged_then_the_caller_hangs_up_and_the_application_cleans_up()
    {
        await using var h = await AriHarness.StartAsync();
        await using var gateway = new LoopbackGateway();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App, ["arg1"]);
        var start = await h.NextAsync<StasisStartEvent>();
        await h.Client.AnswerAsync(call.ChannelId);
        var callId = Guid.NewGuid();
        var external = await h.Client.CreateExternalMediaAsync(AriHarness.App, gateway.HostPort, "slin", callId);
        Assert.Equal($"AudioSocket/{gateway.HostPort}-{callId:D}", external.Name);
        Assert.Equal("Down", external.State);
        Assert.Equal(callId.ToString("D"), external.ChannelVars!["AUDIOSOCKET_UUID"]);
        Assert.Equal(gateway.HostPort, external.ChannelVars["AUDIOSOCKET_SERVICE"]);
        var events = await h.UntilAsync<StasisStartEvent>(s => s.Channel.Id == external.Id);
        var bridge = await h.Client.CreateBridgeAsync();
        await h.Client.AddChannelsAsync(bridge.Id, [call.ChannelId, external.Id]);
        events.AddRange(await h.UntilAsync<ChannelVarsetEvent>(v => v.Variable == "BRIDGEPEER" && v.Channel!.Id == external.Id));

        await call.HangUpAsync();
        events.AddRange(await h.UntilAsync<StasisEndEvent>(s => s.Channel.Id == call.ChannelId));
        // The external-media leg stays Up in the bridge until the application deletes it.
        Assert.Equal([external.Id], h.Emulator.Bridges.Single().ChannelIds);
        Assert.Equal("Up", h.Emulator.Channels.Single().State);

        Assert.True(await h.Client.HangupAsync(external.Id));
        Assert.True(await h.Client.DestroyBridgeAsync(bridge.Id));
        events.AddRange(await h.UntilAsync<BridgeDestroyedEvent>());
        AssertLike(Captures.ExternalMediaCallerHangup, [start, .. events], h);
        Assert.Empty(h.Emulator.Channels);
        Assert.Empty(h.Emulator.Bridges);
        await Waits.UntilAsync(() => gateway.Closed, what: "the AudioSocket connection closed after DELETE");
    }

    [Fact]
    public async Task External_media_whose_server_sends_a_hangup_frame_is_destroyed_with_cause_0()
    {
        await using var h = await AriHarness.StartAsync();
        await using var gateway = new LoopbackGateway();
        var external = await h.Client.CreateExternalMediaAsync(AriHarness.App, gateway.HostPort, "slin", Guid.NewGuid());
        var events = await h.UntilAsync<StasisStartEvent>();
        await gateway.SendAsync(AudioSocketKind.Hangup, []);
        events.AddRange(await h.UntilAsync<ChannelDestroyedEvent>());
        AssertLike(Captures.ExternalMediaServerHangupFrame, events, h);
        Assert.Null(await h.Client.GetChannelAsync(external.Id));
        Assert.False(await h.Client.HangupAsync(external.Id));
    }

    private static void AssertLike(string capture, IReadOnlyList<AriEvent> received, AriHarness h)
    {
        Assert.Equal(EventSignature.OfCapture(capture), received.Select(EventSignature.Of).ToArray());

        // Same JSON shape per event type as the recording (the first event of each type in both).
        foreach (var recorded in Captures.Lines(capture).GroupBy(l => EventSignature.Parse(l).Type))
        {
            var emitted = h.Emulator.Events.First(e => e.Type == recorded.Key);
            Assert.Equal(EventSignature.Paths(recorded.First()), EventSignature.Paths(emitted.Json));
        }
    }
}
