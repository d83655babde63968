using System.Diagnostics;
using AiAgent.Emulators.Ari;
using AiAgent.Grains.Asterisk;
using AiAgent.Grains.Asterisk.Ari;
using AiAgent.Grains.Interfaces.Asterisk;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.AriMode.Tests;

/// <summary>
/// Warm transfer in ARI mode, end to end in process (emulator → external media → the real gateway → CallGrain, local
/// provider), driven through <see cref="IAriCallGrain.WarmTransferAsync"/> with a recording call side; the human is an
/// originated channel whose far end the emulator scripts. Every test checks the emulator's record of what the caller
/// could hear: never nobody and no hold music while the transfer runs.
/// </summary>
public sealed class AriWarmTransferTests : IAsyncLifetime
{
    private const string Endpoint = "PJSIP/sales-desk";
    private AriCluster _ari = null!;

    public async Task InitializeAsync()
    {
        _ari = await AriCluster.StartAsync(silos: 1, realGateways: 1);
        await Waits.UntilAsync(() => _ari.Emulator.IsRegistered(AriCluster.App), what: "the lease holder's events connection");
    }

    public async Task DisposeAsync() => await _ari.DisposeAsync();

    [Fact]
    public async Task Accepted_the_caller_holds_the_human_is_briefed_then_dtmf_1_bridges_caller_and_human_and_the_call_ends_as_a_transfer()
    {
        var live = await LiveCallAsync();
        live.Record.EndCallWithTransferTo = "sales";
        _ari.Emulator.ScriptEndpoint(Endpoint, AriEndpointScript.AnswerAfter(TimeSpan.FromMilliseconds(300)));
        var requestsBefore = _ari.Emulator.Requests.Count;

        Assert.True(await TransferAsync(live));

        Assert.True(live.Caller.OnHold);
        Assert.Null(live.Caller.BridgeId);
        await live.Record.Answered.Task.WaitAsync(Waits.Long);
        var human = Assert.Single(_ari.Emulator.Dialled);
        var leg = AriTransferLeg.ChannelId(live.CallId, 1);
        Assert.Equal(leg, human.ChannelId);
        Assert.Equal([AriTransferLeg.ArgsMarker, live.CallId.ToString("D")], human.AppArgs);
        Assert.Equal(live.Caller.ChannelId, human.Originator);
        Assert.Equal(10 + (int)AriCallGrain.OriginateTimeoutMargin.TotalSeconds, human.TimeoutSeconds);
        Assert.Equal([live.MediaId, leg], Bridge(live).ChannelIds); // the human hears the agent, the caller does not
        Assert.True(live.Caller.OnHold);

        await human.SendDtmfAsync('1');

        Assert.Equal(WarmTransferOutcome.Accepted, await live.Record.Ended.Task.WaitAsync(Waits.Long));
        await Waits.UntilAsync(() => _ari.MediaLegsOf(live.CallId).Count == 0 && !live.Caller.OnHold, what: "the agent's leg deleted, hold music off");
        Assert.Equal([leg, live.Caller.ChannelId], Bridge(live).ChannelIds);
        var callGrain = _ari.Cluster.Client.GetCallGrain(live.CallId, CallGrainKeys.FirstEpoch);
        await Waits.UntilAsync(() => callGrain.GetSnapshotAsync().Result.State == CallState.Ended, what: "the call ended on the platform");
        Assert.Equal("transfer:sales", (await callGrain.GetSnapshotAsync()).Disposition?.ToString());
        Assert.Null(live.Caller.ContinuedTo); // not also blind-transferred into the dialplan
        Assert.False(live.Caller.IsGone);
        Assert.Equal(
            [
                $"POST /channels/{live.Caller.ChannelId}/moh",
                $"POST /bridges/{live.BridgeId}/removeChannel?channel={live.Caller.ChannelId}",
                $"GET /channels/{live.Caller.ChannelId}",
                $"POST /channels?endpoint={Endpoint}&app={AriCluster.App}&appArgs={AriTransferLeg.AppArgs(live.CallId)}&timeout=15&originator={live.Caller.ChannelId}&channelId={leg}",
                $"POST /bridges/{live.BridgeId}/addChannel?channel={leg}",
                $"POST /bridges/{live.BridgeId}/removeChannel?channel={live.MediaId}",
                $"POST /bridges/{live.BridgeId}/addChannel?channel={live.Caller.ChannelId}",
                $"DELETE /channels/{live.Caller.ChannelId}/moh",
                $"DELETE /channels/{live.MediaId}?reason_code=16",
            ],
            _ari.Emulator.Requests.Skip(requestsBefore).Select(r => $"{r.Method} {r.Path}{r.Query}"));
        var handedOver = DateTimeOffset.UtcNow;

        await human.HangUpAsync();

        await Waits.UntilAsync(() => live.Caller.IsGone && _ari.NothingLeft, what: "caller hung up after the human, bridge destroyed");
        AssertNoDeadAir(live.Caller, until: handedOver);
        Assert.Equal(1, live.Record.EndedCount);
    }

    [Fact]
    public async Task Declined_by_dtmf_2_the_human_is_hung_up_and_the_caller_is_back_with_the_agent_and_repeated_events_change_nothing()
    {
        var live = await LiveCallAsync();
        _ari.Emulator.ScriptEndpoint(Endpoint, AriEndpointScript.AnswerAfter(TimeSpan.FromMilliseconds(200)));
        Assert.True(await TransferAsync(live));
        await live.Record.Answered.Task.WaitAsync(Waits.Long);
        var human = Assert.Single(_ari.Emulator.Dialled);

        // The human's StasisStart again (a second lease holder, a replayed socket): no second addChannel, no second briefing.
        var start = _ari.Emulator.Events.Single(e => e.ChannelId == human.ChannelId && e.Type == "StasisStart");
        Assert.True(_ari.Emulator.SendRawEvent(AriCluster.App, start.Json));
        await human.SendDtmfAsync('2');

        Assert.Equal(WarmTransferOutcome.Declined, await live.Record.Ended.Task.WaitAsync(Waits.Long));
        Assert.Equal(1, live.Record.AnsweredCount);
        Assert.Single(_ari.Emulator.Requests, r => r.Path.EndsWith("/addChannel", StringComparison.Ordinal) && r.Query.Contains(human.ChannelId, StringComparison.Ordinal));
        await AssertBackWithTheAgentAsync(live, human, hungUpByUs: true);

        // The digit again, after the transfer: the caller's next key press (same per-call queue) reaches the call, so
        // the repeated one was handled first, and it changed nothing.
        var dtmf = _ari.Emulator.Events.Single(e => e.ChannelId == human.ChannelId && e.Type == "ChannelDtmfReceived");
        Assert.True(_ari.Emulator.SendRawEvent(AriCluster.App, dtmf.Json));
        await live.Caller.SendDtmfAsync('5');
        var callGrain = _ari.Cluster.Client.GetCallGrain(live.CallId, CallGrainKeys.FirstEpoch);
        await Waits.UntilAsync(() => callGrain.GetSnapshotAsync().Result.Counters.DtmfDigits == 1, what: "the caller's digit reaching the call again");
        Assert.Equal(1, live.Record.EndedCount);
        Assert.Equal([live.MediaId, live.Caller.ChannelId], Bridge(live).ChannelIds);

        await live.Caller.HangUpAsync();
        await Waits.UntilAsync(() => _ari.NothingLeft, what: "no channel and no bridge left");
    }

    [Theory]
    [InlineData(17)] // busy
    [InlineData(19)] // no answer: the endpoint's own timer
    public async Task A_human_who_does_not_answer_leaves_the_caller_with_the_agent(int cause)
    {
        var live = await LiveCallAsync();
        _ari.Emulator.ScriptEndpoint(Endpoint, AriEndpointScript.RejectAfter(TimeSpan.FromMilliseconds(300), cause));

        Assert.True(await TransferAsync(live));

        Assert.Equal(WarmTransferOutcome.NoAnswer, await live.Record.Ended.Task.WaitAsync(Waits.Long));
        var human = Assert.Single(_ari.Emulator.Dialled);
        Assert.Equal(cause, human.DestroyedCause);
        Assert.Equal(
            ["Dial", "ChannelStateChange", "Dial", "ChannelHangupRequest", "ChannelDestroyed"],
            _ari.Emulator.Events.Where(e => e.ChannelId == human.ChannelId).Select(e => e.Type));
        Assert.Equal(0, live.Record.AnsweredCount);
        await AssertBackWithTheAgentAsync(live, human, hungUpByUs: false);
    }

    [Fact]
    public async Task The_ring_timeout_hangs_the_ringing_human_up_and_returns_the_caller()
    {
        var live = await LiveCallAsync(); // the endpoint is not scripted: it rings until the originate's timeout
        var clock = Stopwatch.StartNew();

        Assert.True(await TransferAsync(live, ringSeconds: 1));

        Assert.Equal(WarmTransferOutcome.NoAnswer, await live.Record.Ended.Task.WaitAsync(Waits.Long));
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(1 + AriCallGrain.OriginateTimeoutMargin.TotalSeconds));
        var human = Assert.Single(_ari.Emulator.Dialled);
        Assert.Equal(16, human.DestroyedCause); // our DELETE, before Asterisk's own timeout (cause 19)
        await AssertBackWithTheAgentAsync(live, human, hungUpByUs: true);
    }

    [Fact]
    public async Task The_accept_timeout_hangs_the_silent_human_up_and_returns_the_caller()
    {
        var live = await LiveCallAsync();
        _ari.Emulator.ScriptEndpoint(Endpoint, AriEndpointScript.AnswerAfter(TimeSpan.FromMilliseconds(100)));

        Assert.True(await TransferAsync(live, acceptSeconds: 1));

        await live.Record.Answered.Task.WaitAsync(Waits.Long);
        Assert.Equal(WarmTransferOutcome.TimedOut, await live.Record.Ended.Task.WaitAsync(Waits.Long));
        await AssertBackWithTheAgentAsync(live, Assert.Single(_ari.Emulator.Dialled), hungUpByUs: true);
    }

    [Fact]
    public async Task The_human_hanging_up_during_the_briefing_is_a_decline()
    {
        var live = await LiveCallAsync();
        _ari.Emulator.ScriptEndpoint(Endpoint, AriEndpointScript.AnswerAfter(TimeSpan.FromMilliseconds(100)));
        Assert.True(await TransferAsync(live));
        await live.Record.Answered.Task.WaitAsync(Waits.Long);
        var human = Assert.Single(_ari.Emulator.Dialled);

        await human.HangUpAsync();

        Assert.Equal(WarmTransferOutcome.Declined, await live.Record.Ended.Task.WaitAsync(Waits.Long));
        await AssertBackWithTheAgentAsync(live, human, hungUpByUs: false);
    }

    [Fact]
    public async Task The_caller_hanging_up_while_the_human_rings_cleans_up_every_leg_and_the_bridge()
    {
        var live = await LiveCallAsync();
        Assert.True(await TransferAsync(live, ringSeconds: 30));
        var human = Assert.Single(_ari.Emulator.Dialled);
        await Waits.UntilAsync(() => human.State == "Ringing", what: "the human's phone ringing");

        await live.Caller.HangUpAsync();

        await Waits.UntilAsync(() => _ari.NothingLeft, what: "caller, human, media leg and bridge all gone");
        Assert.Equal(1, human.HangupRequests);
        var callGrain = _ari.Cluster.Client.GetCallGrain(live.CallId, CallGrainKeys.FirstEpoch);
        await Waits.UntilAsync(() => callGrain.GetSnapshotAsync().Result.State == CallState.Ended, what: "the call ended as for any caller hang-up");
        Assert.False(live.Record.Ended.Task.IsCompleted); // no outcome to act on: the call is over
        AssertNoDeadAir(live.Caller, until: DateTimeOffset.MaxValue);
    }

    [Fact]
    public async Task A_transfer_is_refused_while_one_runs_and_for_an_undiallable_target()
    {
        var live = await LiveCallAsync();
        Assert.False(await live.Ari.WarmTransferAsync(new WarmTransferTarget("sales", "sales-desk", 10, 10), live.Party));
        Assert.False(await live.Ari.WarmTransferAsync(new WarmTransferTarget("sales", Endpoint, 0, 10), live.Party));
        Assert.False(live.Caller.OnHold);

        Assert.True(await TransferAsync(live));
        Assert.False(await TransferAsync(live));

        Assert.Single(_ari.Emulator.Dialled);
        await live.Caller.HangUpAsync();
        await Waits.UntilAsync(() => _ari.NothingLeft, what: "no channel and no bridge left");
    }

    [Fact]
    public async Task An_originate_asterisk_refuses_returns_the_caller_with_failed()
    {
        var live = await LiveCallAsync();
        // A channel with the very id of the transfer's leg exists already: Asterisk answers the originate 409.
        using var http = new HttpClient();
        var client = new AriClient(http, new AriEndpoint(new Uri(_ari.Emulator.BaseUrl), AriCluster.App, _ari.Emulator.Options.UserName, _ari.Emulator.Options.Password));
        await client.OriginateAsync(new AriOriginate("PJSIP/someone-else", AriCluster.App, "other", 30) { ChannelId = AriTransferLeg.ChannelId(live.CallId, 1) });

        Assert.True(await TransferAsync(live));

        Assert.Equal(WarmTransferOutcome.Failed, await live.Record.Ended.Task.WaitAsync(Waits.Long));
        Assert.Contains(_ari.Emulator.Requests, r => r.Method == "POST" && r.Path == "/channels" && r.StatusCode == 409);
        await Waits.UntilAsync(() => !live.Caller.OnHold && live.Caller.BridgeId is not null, what: "the caller back in the bridge, hold music off");
        Assert.Equal([live.MediaId, live.Caller.ChannelId], Bridge(live).ChannelIds);
        AssertNoDeadAir(live.Caller, until: DateTimeOffset.MaxValue);
    }

    private async Task<LiveCall> LiveCallAsync()
    {
        var caller = await _ari.Emulator.PlaceCallAsync(AriCluster.App);
        var callId = _ari.CallIdOf(caller);
        await Waits.UntilAsync(() => caller.HeardAudio().Any(b => b != 0), what: "the agent's greeting at the caller");
        var media = Assert.Single(_ari.MediaLegsOf(callId));
        var client = _ari.Cluster.Client;
        return new LiveCall(caller, callId, media.Id, caller.BridgeId!, client.GetGrain<IAriCallGrain>(callId), RecordingTransferParty.For(client, callId), RecordingTransferParty.RecordOf(callId));
    }

    private static Task<bool> TransferAsync(LiveCall live, int ringSeconds = 10, int acceptSeconds = 10) =>
        live.Ari.WarmTransferAsync(new WarmTransferTarget("sales", Endpoint, ringSeconds, acceptSeconds), live.Party);

    private AriEmulatorBridgeInfo Bridge(LiveCall live) => Assert.Single(_ari.Emulator.Bridges, b => b.Id == live.BridgeId);

    /// <summary>The caller in the agent's bridge again with its hold music off, the human gone, the call still live.</summary>
    private async Task AssertBackWithTheAgentAsync(LiveCall live, AriEmulatorDialled human, bool hungUpByUs)
    {
        await Waits.UntilAsync(() => !live.Caller.OnHold && live.Caller.BridgeId == live.BridgeId && human.IsGone, what: "the caller back with the agent, hold music off, the human gone");
        Assert.Equal([live.MediaId, live.Caller.ChannelId], Bridge(live).ChannelIds);
        Assert.Equal(hungUpByUs ? 1 : 0, human.HangupRequests);
        Assert.Equal(CallState.Active, (await _ari.Cluster.Client.GetCallGrain(live.CallId, CallGrainKeys.FirstEpoch).GetSnapshotAsync()).State);
        Assert.Contains(live.Caller.Moments, m => m.OnHold);
        AssertNoDeadAir(live.Caller, until: DateTimeOffset.MaxValue);
    }

    /// <summary>From its first connection until <paramref name="until"/> the caller always heard someone or hold music.</summary>
    private static void AssertNoDeadAir(AriEmulatorCall caller, DateTimeOffset until) =>
        Assert.DoesNotContain(caller.DeadAir, m => m.At < until);

    private sealed record LiveCall(AriEmulatorCall Caller, Guid CallId, string MediaId, string BridgeId, IAriCallGrain Ari, IRecordingTransferParty Party, TransferPartyRecord Record);
}
