namespace AiAgent.AriMode.Tests;

/// <summary>A call through the ARI emulator and the platform's ARI mode, with a stand-in AudioSocket gateway.</summary>
public sealed class AriModeCallTests : IAsyncLifetime
{
    private AriCluster _ari = null!;

    public async Task InitializeAsync()
    {
        _ari = await AriCluster.StartAsync(silos: 1);
        await Waits.UntilAsync(() => _ari.Emulator.IsRegistered(AriCluster.App), what: "the lease holder's events connection");
    }

    public async Task DisposeAsync() => await _ari.DisposeAsync();

    [Fact]
    public async Task A_caller_is_bridged_to_external_media_and_its_hangup_cleans_up_both_legs_and_the_bridge()
    {
        var call = await _ari.Emulator.PlaceCallAsync(AriCluster.App);
        var callId = _ari.CallIdOf(call);
        await Waits.UntilAsync(() => call.BridgeId is not null && _ari.Emulator.Bridges.Any(b => b.ChannelIds.Count == 2), what: "the caller and the media leg bridged");
        await Waits.UntilAsync(() => _ari.Gateway.FramesFrom(callId) > 5, what: "caller audio reaching the gateway under the call id");
        Assert.Equal("Up", call.State);
        Assert.Equal(1, _ari.Emulator.ExternalMediaRequestsFor(callId));

        await call.HangUpAsync();

        await Waits.UntilAsync(() => _ari.NothingLeft, what: "no channel and no bridge left");
        Assert.Equal(1, _ari.Emulator.BridgeRequests);
    }

    [Fact]
    public async Task The_gateway_ending_the_session_hangs_the_caller_up_and_destroys_the_bridge()
    {
        var call = await _ari.Emulator.PlaceCallAsync(AriCluster.App);
        var callId = _ari.CallIdOf(call);
        await Waits.UntilAsync(() => _ari.Gateway.FramesFrom(callId) > 0, what: "the media leg connected");

        await _ari.Gateway.EndAsync(callId);

        await Waits.UntilAsync(() => call.IsGone && _ari.NothingLeft, what: "caller hung up, bridge destroyed");
    }

    [Fact]
    public async Task An_events_socket_drop_mid_call_loses_no_call_and_the_hangup_after_the_reconnect_cleans_up()
    {
        var call = await _ari.Emulator.PlaceCallAsync(AriCluster.App);
        var callId = _ari.CallIdOf(call);
        await Waits.UntilAsync(() => _ari.Gateway.FramesFrom(callId) > 0, what: "the media leg connected");
        var accepted = _ari.Emulator.EventConnectionsAccepted;

        _ari.Emulator.DropEventConnections();

        await Waits.UntilAsync(() => _ari.Emulator.EventConnectionsAccepted > accepted && _ari.Emulator.OpenEventConnections == 1, what: "the reconnect");
        var framesAfterReconnect = _ari.Gateway.FramesFrom(callId);
        await Waits.UntilAsync(() => _ari.Gateway.FramesFrom(callId) > framesAfterReconnect + 5, what: "audio still flowing");
        Assert.Equal(1, _ari.Emulator.ExternalMediaRequestsFor(callId)); // the reconcile did not bridge it again

        await call.HangUpAsync();
        await Waits.UntilAsync(() => _ari.NothingLeft, what: "no channel and no bridge left");
    }

    [Fact]
    public async Task A_caller_who_hangs_up_during_an_events_drop_is_cleaned_up_by_the_reconcile()
    {
        var call = await _ari.Emulator.PlaceCallAsync(AriCluster.App);
        var callId = _ari.CallIdOf(call);
        await Waits.UntilAsync(() => _ari.Gateway.FramesFrom(callId) > 0, what: "the media leg connected");

        // The drop unregisters the application at once, so the hangup's events reach no socket: only the reconcile
        // after the reconnect (GET /channels: the media leg is still Up, its caller is gone) can clean up.
        _ari.Emulator.DropEventConnections();
        await call.HangUpAsync();
        Assert.Contains(_ari.Emulator.Events, e => e.ChannelId == call.ChannelId && e.Type == "StasisEnd" && !e.Delivered);

        await Waits.UntilAsync(() => _ari.NothingLeft, what: "the media leg and the bridge cleaned up by the reconcile");
    }
}
