using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.AriMode.Tests;

/// <summary>ARI mode end to end in process: emulator → external media → the real gateway → CallGrain with the local provider.</summary>
public sealed class AriModeConversationTests : IAsyncLifetime
{
    private AriCluster _ari = null!;

    public async Task InitializeAsync()
    {
        _ari = await AriCluster.StartAsync(silos: 1, realGateways: 1);
        await Waits.UntilAsync(() => _ari.Emulator.IsRegistered(AriCluster.App), what: "the lease holder's events connection");
    }

    public async Task DisposeAsync() => await _ari.DisposeAsync();

    [Fact]
    public async Task A_bridged_caller_hears_the_greeting_its_dtmf_reaches_the_call_and_its_hangup_ends_the_call_and_cleans_up()
    {
        var call = await _ari.Emulator.PlaceCallAsync(AriCluster.App);
        var callGrain = _ari.Cluster.Client.GetCallGrain(_ari.CallIdOf(call), CallGrainKeys.FirstEpoch);
        await Waits.UntilAsync(() => call.HeardAudio().Any(b => b != 0), what: "the agent's greeting audio at the caller");
        Assert.Equal(CallState.Active, (await callGrain.GetSnapshotAsync()).State);

        await call.SendDtmfAsync('5'); // ChannelDtmfReceived on the caller reaches the CallGrain
        await Waits.UntilAsync(() => callGrain.GetSnapshotAsync().Result.Counters.DtmfDigits == 1, what: "the digit counted by the call");

        await call.HangUpAsync();

        await Waits.UntilAsync(() => _ari.NothingLeft, what: "no channel and no bridge left");
        await Waits.UntilAsync(() => callGrain.GetSnapshotAsync().Result.State == CallState.Ended, what: "the call ended");
    }

    [Fact]
    public async Task The_platform_ending_with_hangup_plays_out_then_hangs_the_caller_up_and_cleans_up()
    {
        var call = await _ari.Emulator.PlaceCallAsync(AriCluster.App);
        var callGrain = _ari.Cluster.Client.GetCallGrain(_ari.CallIdOf(call), CallGrainKeys.FirstEpoch);
        await Waits.UntilAsync(() => call.HeardAudio().Any(b => b != 0), what: "the agent's greeting audio at the caller");

        Assert.True(await callGrain.EndAsync(CallDisposition.Hangup)); // the gateway sends 00 00 00; the media leg ends

        await Waits.UntilAsync(() => call.IsGone, what: "the caller hung up by ARI mode");
        await Waits.UntilAsync(() => _ari.NothingLeft, what: "no channel and no bridge left");
        Assert.Null(call.ContinuedTo);
    }

    [Fact]
    public async Task The_platform_ending_with_a_transfer_continues_the_caller_into_the_transfer_context()
    {
        var call = await _ari.Emulator.PlaceCallAsync(AriCluster.App);
        var callGrain = _ari.Cluster.Client.GetCallGrain(_ari.CallIdOf(call), CallGrainKeys.FirstEpoch);
        await Waits.UntilAsync(() => call.HeardAudio().Any(b => b != 0), what: "the agent's greeting audio at the caller");

        Assert.True(await callGrain.EndAsync(CallDisposition.TransferTo("sales")));

        await Waits.UntilAsync(() => call.ContinuedTo is not null, what: "the caller continued into the dialplan");
        Assert.Contains("aiagent-transfer", call.ContinuedTo, StringComparison.Ordinal);
        Assert.Contains("sales", call.ContinuedTo, StringComparison.Ordinal);
        await Waits.UntilAsync(() => _ari.Emulator.Bridges.Count == 0, what: "the bridge destroyed");
    }

    [Fact]
    public async Task A_transfer_to_a_mapped_destination_continues_at_its_own_context_extension_and_priority()
    {
        var call = await _ari.Emulator.PlaceCallAsync(AriCluster.App);
        var callGrain = _ari.Cluster.Client.GetCallGrain(_ari.CallIdOf(call), CallGrainKeys.FirstEpoch);
        await Waits.UntilAsync(() => call.HeardAudio().Any(b => b != 0), what: "the agent's greeting audio at the caller");

        Assert.True(await callGrain.EndAsync(CallDisposition.TransferTo("support")));

        await Waits.UntilAsync(() => call.ContinuedTo is not null, what: "the caller continued into the dialplan");
        Assert.Equal("from-internal,700,2", call.ContinuedTo);
    }
}
