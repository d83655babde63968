using System.Text.RegularExpressions;
using AiAgent.Emulators.Ari;
using AiAgent.Grains.Interfaces.Calls;
using Xunit.Abstractions;

namespace AiAgent.AriMode.Tests;

/// <summary>
/// Issue 11 in ARI mode, end to end in process (emulator → external media → real gateways → CallGrain, local provider):
/// a media leg that ends while the call is live is replaced by one to another gateway in the same bridge.
/// </summary>
public sealed partial class AriModeReattachTests(ITestOutputHelper output)
{
    /// <summary>The issue's bound on the audio gap across a gateway drain or kill.</summary>
    private static readonly TimeSpan GapBound = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_drained_gateway_is_replaced_in_the_same_bridge_and_the_same_call_answers_the_next_turn()
    {
        await using var ari = await StartAsync(realGateways: 2);
        var (call, callId, first) = await LiveCallAsync(ari);

        await ari.RealGateways[ari.HostIndexOf(first)].DisposeAsync(); // drain: hangup frame, DetachAsync

        var second = await RebridgedAsync(ari, call, callId, first);
        await AssertSameCallAnswersAsync(ari, call, callId, ari.RealGateways[ari.HostIndexOf(second)].Id);
        Report("drain", ari, call);
        Assert.InRange(Assert.Single(call.MediaLegSwitchGaps), TimeSpan.Zero, GapBound);
    }

    [Fact]
    public async Task A_killed_gateway_is_replaced_in_the_same_bridge_and_a_repeated_end_event_dials_nothing_more()
    {
        await using var ari = await StartAsync(realGateways: 2, proxied: true);
        var (call, callId, first) = await LiveCallAsync(ari);

        await ari.Proxies[ari.HostIndexOf(first)].KillAsync(); // RST to Asterisk; the gateway hears nothing

        var second = await RebridgedAsync(ari, call, callId, first);
        await AssertSameCallAnswersAsync(ari, call, callId, ari.RealGateways[ari.HostIndexOf(second)].Id);
        Report("kill", ari, call);
        Assert.InRange(Assert.Single(call.MediaLegSwitchGaps), TimeSpan.Zero, GapBound);

        // The old leg's end delivered again (a second lease holder, a replayed socket): the call has its leg already.
        foreach (var ended in ari.Emulator.Events.Where(e => e.ChannelId == first.Id && e.Type is "StasisEnd" or "ChannelDestroyed"))
        {
            Assert.True(ari.Emulator.SendRawEvent(AriCluster.App, ended.Json));
        }

        // A key press goes through the same per-call queue: once the call counts it, the repeated events were handled.
        await call.SendDtmfAsync('1');
        var callGrain = ari.Cluster.Client.GetCallGrain(callId, CallGrainKeys.FirstEpoch);
        await Waits.UntilAsync(() => callGrain.GetSnapshotAsync().Result.Counters.DtmfDigits == 1, what: "the repeated events handled");
        Assert.Equal(2, ari.Emulator.ExternalMediaRequestsFor(callId));
        Assert.Equal([call.ChannelId, second.Id], ari.Emulator.Bridges.Single().ChannelIds);

        await call.HangUpAsync();
        await Waits.UntilAsync(() => ari.NothingLeft, what: "no channel and no bridge left");
    }

    [Fact]
    public async Task When_no_gateway_takes_the_call_after_three_attempts_the_caller_is_hung_up_and_everything_cleaned_up()
    {
        await using var ari = await StartAsync(realGateways: 1, proxied: true, [AriCluster.UnreachableHost(), AriCluster.UnreachableHost()]);
        var (call, callId, first) = await LiveCallAsync(ari);
        var callGrain = ari.Cluster.Client.GetCallGrain(callId, CallGrainKeys.FirstEpoch);
        var dialsBefore = ari.Emulator.ExternalMediaRequestsFor(callId);

        await ari.Proxies[0].KillAsync(); // the one gateway dies; the other addresses refuse

        await Waits.UntilAsync(() => call.IsGone && ari.NothingLeft, what: "caller hung up, no channel and no bridge left");
        var redials = ari.Emulator.Requests.Where(r => r.Path == "/channels/externalMedia").Skip(dialsBefore).ToList();
        Assert.Equal(3, redials.Count);
        Assert.All(redials, r => Assert.Equal(500, r.StatusCode));
        Assert.All(redials, r => Assert.DoesNotContain(Uri.EscapeDataString(ari.ExternalHosts[0]), r.Query, StringComparison.Ordinal));
        Assert.Equal(1, call.HangupRequests);
        await Waits.UntilAsync(() => callGrain.GetSnapshotAsync().Result.State == CallState.Ended, what: "the call ended on the platform too");
        Assert.Equal(CallEndReason.GatewayLost, (await callGrain.GetSnapshotAsync()).EndReason);
        Assert.Equal(0, ari.HostIndexOf(first)); // the live leg was on the gateway, not on an unreachable address
        Assert.Single(ari.Logs.WithEventId(2421));
    }

    [Fact]
    public async Task A_gateway_that_drops_every_new_leg_at_once_is_not_redialled_forever()
    {
        // Nothing listens on the second address until the call is live, so its first leg is on the real gateway.
        var droppingAt = AriCluster.UnreachableHost();
        await using var ari = await StartAsync(realGateways: 1, proxied: true, [droppingAt]);
        var (call, callId, _) = await LiveCallAsync(ari);
        var dialsBefore = ari.Emulator.ExternalMediaRequestsFor(callId);
        await using var dropping = new DroppingGateway(int.Parse(droppingAt.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)).Start();

        await ari.Proxies[0].KillAsync();

        await Waits.UntilAsync(() => call.IsGone && ari.NothingLeft, what: "caller hung up, no channel and no bridge left");
        Assert.Equal(dialsBefore + 3, ari.Emulator.ExternalMediaRequestsFor(callId));
        Assert.InRange(dropping.Accepted, 1, 3);
        Assert.Single(ari.Logs.WithEventId(2421));
        Assert.Equal([], ari.Emulator.Bridges);
    }

    [Fact]
    public async Task A_media_leg_ending_with_disposition_hangup_still_hangs_the_caller_up_without_a_new_leg()
    {
        await using var ari = await StartAsync(realGateways: 2);
        var (call, callId, _) = await LiveCallAsync(ari);
        var callGrain = ari.Cluster.Client.GetCallGrain(callId, CallGrainKeys.FirstEpoch);

        Assert.True(await callGrain.EndAsync(CallDisposition.Hangup)); // the gateway plays out and sends 00 00 00

        await Waits.UntilAsync(() => call.IsGone && ari.NothingLeft, what: "caller hung up, no channel and no bridge left");
        Assert.Equal(1, ari.Emulator.ExternalMediaRequestsFor(callId));
        Assert.Null(call.ContinuedTo);
    }

    private static async Task<AriCluster> StartAsync(int realGateways, bool proxied = false, IReadOnlyList<string>? extraHosts = null)
    {
        var ari = await AriCluster.StartAsync(silos: 1, realGateways, proxied, extraHosts);
        await Waits.UntilAsync(() => ari.Emulator.IsRegistered(AriCluster.App), what: "the lease holder's events connection");
        return ari;
    }

    /// <summary>A caller bridged to a gateway, greeted, and its call live.</summary>
    private static async Task<(AriEmulatorCall Call, Guid CallId, AriEmulatorChannelInfo Media)> LiveCallAsync(AriCluster ari)
    {
        var call = await ari.Emulator.PlaceCallAsync(AriCluster.App);
        var callId = ari.CallIdOf(call);
        var callGrain = ari.Cluster.Client.GetCallGrain(callId, CallGrainKeys.FirstEpoch);
        await Waits.UntilAsync(() => call.HeardAudio().Any(b => b != 0), what: "the agent's greeting audio at the caller");
        await Waits.UntilAsync(() => callGrain.GetSnapshotAsync().Result.State == CallState.Active, what: "the call live");
        var media = Assert.Single(ari.MediaLegsOf(callId));
        Assert.Equal(call.BridgeId, media.BridgeId);
        return (call, callId, media);
    }

    /// <summary>The new media leg: another gateway, the same bridge, and the caller never left it.</summary>
    private static async Task<AriEmulatorChannelInfo> RebridgedAsync(AriCluster ari, AriEmulatorCall call, Guid callId, AriEmulatorChannelInfo first)
    {
        var bridgeId = call.BridgeId;
        await Waits.UntilAsync(
            () => ari.MediaLegsOf(callId) is [{ BridgeId: not null, FramesToGateway: > 5 } leg] && leg.Id != first.Id,
            what: "a new media leg in the bridge, carrying the caller's audio");
        var second = Assert.Single(ari.MediaLegsOf(callId));
        Assert.NotEqual(ari.HostIndexOf(first), ari.HostIndexOf(second));
        Assert.Equal(bridgeId, second.BridgeId);
        Assert.Equal(bridgeId, call.BridgeId);
        Assert.Equal([call.ChannelId, second.Id], ari.Emulator.Bridges.Single().ChannelIds);
        Assert.Equal(1, ari.Emulator.BridgeRequests);
        Assert.Equal(2, ari.Emulator.ExternalMediaRequestsFor(callId));
        Assert.Equal(1, call.AddChannelRequests);
        Assert.Equal(0, call.HangupRequests);
        Assert.Single(ari.Emulator.Events, e => e.ChannelId == call.ChannelId && e.Type == "ChannelEnteredBridge");
        Assert.DoesNotContain(ari.Emulator.Events, e => e.ChannelId == call.ChannelId && e.Type is "ChannelLeftBridge" or "StasisEnd" or "ChannelHangupRequest");
        Assert.Contains(ari.Emulator.Events, e => e.ChannelId == first.Id && e.Type == "ChannelLeftBridge");
        Assert.Contains(ari.Emulator.Events, e => e.ChannelId == first.Id && e.Type == "ChannelDestroyed");
        return second;
    }

    /// <summary>Same call id and epoch, now on the new gateway; the caller's next turn is answered, with no second greeting.</summary>
    private static async Task AssertSameCallAnswersAsync(AriCluster ari, AriEmulatorCall call, Guid callId, string gatewayId)
    {
        var callGrain = ari.Cluster.Client.GetCallGrain(callId, CallGrainKeys.FirstEpoch);
        await Waits.UntilAsync(() => callGrain.GetSnapshotAsync().Result.GatewayId == gatewayId, what: "the call re-attached through the new gateway");
        var heard = call.HeardFrames;

        call.Say(MediaSignals.Tone(TimeSpan.FromSeconds(1)));

        await Waits.UntilAsync(
            () => callGrain.GetSnapshotAsync().Result.Transcript.Any(l => l.Text.StartsWith("(echo of your", StringComparison.Ordinal)),
            what: "the agent's answer to the caller's turn");
        await Waits.UntilAsync(() => call.HeardFrames > heard + 25, what: "the answer heard by the caller through the new leg");
        var snapshot = await callGrain.GetSnapshotAsync();
        Assert.Equal((callId, CallState.Active, CallGrainKeys.FirstEpoch, 0), (snapshot.CallId, snapshot.State, snapshot.Epoch, snapshot.Failovers));
        var agentLines = snapshot.Transcript.Where(l => l.Role == "agent").Select(l => l.Text).ToList();
        Assert.Single(agentLines, text => !text.StartsWith("(echo of your", StringComparison.Ordinal)); // one greeting
        Assert.Single(snapshot.Transcript, l => CallerTurn().IsMatch(l.Text));
    }

    private void Report(string what, AriCluster ari, AriEmulatorCall call)
    {
        output.WriteLine($"{what}: caller cut off for {string.Join(", ", call.MediaLegSwitchGaps.Select(g => $"{g.TotalMilliseconds:0} ms"))} across the re-bridge; longest gap between its frames {call.LongestGapToGateway.TotalMilliseconds:0} ms over {call.FramesToGateway} frames");
        foreach (var e in ari.Emulator.Events)
        {
            output.WriteLine($"{System.Text.Json.JsonDocument.Parse(e.Json).RootElement.GetProperty("timestamp")} {e.Type} {e.ChannelId}");
        }

        foreach (var log in ari.Logs.Entries.Where(e => e.EventId is >= 2360 and < 2370 or >= 2400 and < 2450 or >= 2030 and < 2040))
        {
            output.WriteLine(log.ToString());
        }
    }

    [GeneratedRegex(@"^\[caller turn 1: ")]
    private static partial Regex CallerTurn();
}
