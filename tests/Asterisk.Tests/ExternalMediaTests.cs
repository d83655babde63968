using AiAgent.CallSim.Protocol;
using AiAgent.Emulators.Ari;
using AiAgent.Grains.Asterisk.Ari;

namespace AiAgent.Asterisk.Tests;

/// <summary>External media really dials a loopback AudioSocket server: UUID first, then the format's frames, both ways through the bridge.</summary>
public sealed class ExternalMediaTests
{
    [Theory]
    [InlineData("slin16", AudioSocketKind.AudioSlin16, 640)]
    [InlineData("slin", AudioSocketKind.Audio, 320)]
    public async Task The_gateway_gets_the_UUID_then_the_callers_audio_and_the_caller_hears_the_gateway(string format, byte kind, int frameBytes)
    {
        await using var h = await AriHarness.StartAsync();
        await using var gateway = new LoopbackGateway();
        var speech = new byte[frameBytes * 3];
        for (var i = 0; i < speech.Length; i++)
        {
            speech[i] = (byte)(i % 251 + 1);
        }

        var call = await h.Emulator.PlaceCallAsync(AriHarness.App, ["arg1"], new AriCallOptions { Audio = speech });
        await h.Client.AnswerAsync(call.ChannelId);
        var callId = Guid.NewGuid();
        var external = await h.Client.CreateExternalMediaAsync(AriHarness.App, gateway.HostPort, format, callId);

        var uuid = await gateway.NextFrameAsync();
        Assert.Equal(AudioSocketKind.Uuid, uuid.Kind);
        Assert.Equal(callId, new Guid(uuid.Payload, bigEndian: true));

        await h.UntilAsync<StasisStartEvent>(s => s.Channel.Id == external.Id);
        var bridge = await h.Client.CreateBridgeAsync();
        await h.Client.AddChannelsAsync(bridge.Id, [call.ChannelId, external.Id]);

        var received = new List<byte>();
        for (var i = 0; i < 4; i++)
        {
            var frame = await gateway.NextFrameAsync();
            Assert.Equal((kind, frameBytes), (frame.Kind, frame.Payload.Length));
            received.AddRange(frame.Payload);
        }

        Assert.Equal(speech, received.Take(speech.Length));
        Assert.All(received.Skip(speech.Length), b => Assert.Equal(0, b));

        var reply = Enumerable.Repeat((byte)0x42, frameBytes).ToArray();
        await gateway.SendAsync(kind, reply);
        await gateway.SendAsync(kind, reply);
        await Waits.UntilAsync(() => call.HeardFrames == 2, what: "the caller heard the gateway's two frames");
        Assert.Equal([.. reply, .. reply], call.HeardAudio());
        Assert.True(h.Emulator.Channels.Single(c => c.Id == external.Id).FramesToGateway >= 4);
    }

    [Fact]
    public async Task When_the_gateway_closes_the_external_leg_ends_and_the_caller_stays_in_the_bridge()
    {
        await using var h = await AriHarness.StartAsync();
        var gateway = new LoopbackGateway();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App);
        await h.Client.AnswerAsync(call.ChannelId);
        var external = await h.Client.CreateExternalMediaAsync(AriHarness.App, gateway.HostPort, "slin16", Guid.NewGuid());
        await h.UntilAsync<StasisStartEvent>(s => s.Channel.Id == external.Id);
        var bridge = await h.Client.CreateBridgeAsync();
        await h.Client.AddChannelsAsync(bridge.Id, [call.ChannelId, external.Id]);
        await gateway.NextFrameAsync();

        await gateway.DisposeAsync();
        var events = await h.UntilAsync<ChannelDestroyedEvent>(d => d.Channel.Id == external.Id);
        var destroyed = (ChannelDestroyedEvent)events[^1];
        Assert.Equal((0, "Unknown"), (destroyed.Cause, destroyed.CauseTxt));
        Assert.DoesNotContain(events, e => e is ChannelHangupRequestEvent);
        Assert.Contains(events, e => e is ChannelLeftBridgeEvent l && l.Channel.Id == external.Id);
        Assert.Equal([call.ChannelId], h.Emulator.Bridges.Single().ChannelIds);
        Assert.Equal("Up", call.State);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_new_external_media_to_another_server_joins_the_same_bridge_and_the_callers_audio_goes_on(bool reset)
    {
        await using var h = await AriHarness.StartAsync();
        var first = new LoopbackGateway();
        await using var second = new LoopbackGateway();
        var speech = Enumerable.Range(0, 640 * 250).Select(i => (byte)(i % 251 + 1)).ToArray(); // 5 s, every frame distinct
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App, ["arg1"], new AriCallOptions { Audio = speech });
        await h.Client.AnswerAsync(call.ChannelId);
        var callId = Guid.NewGuid();
        var external = await h.Client.CreateExternalMediaAsync(AriHarness.App, first.HostPort, "slin16", callId);
        await h.UntilAsync<StasisStartEvent>(s => s.Channel.Id == external.Id);
        var bridge = await h.Client.CreateBridgeAsync();
        await h.Client.AddChannelsAsync(bridge.Id, [call.ChannelId, external.Id]);
        await h.UntilAsync<ChannelVarsetEvent>(v => v.Variable == "BRIDGEPEER" && v.Channel!.Id == external.Id);
        await first.NextFrameAsync(); // the UUID
        await first.NextFrameAsync();
        await first.NextFrameAsync();

        // The first server goes away: drained (close) or killed (reset).
        if (reset)
        {
            await first.ResetAsync();
        }

        await first.DisposeAsync();
        var ending = await h.UntilAsync<ChannelDestroyedEvent>(d => d.Channel.Id == external.Id);
        Assert.Equal(
            ["ChannelVarset BRIDGEPEER", "ChannelLeftBridge", "StasisEnd", "ChannelVarset STASISSTATUS", "ChannelDestroyed"],
            ending.Select(Describe));
        Assert.Equal((0, "Unknown"), (((ChannelDestroyedEvent)ending[^1]).Cause, ((ChannelDestroyedEvent)ending[^1]).CauseTxt));
        Assert.DoesNotContain(ending, e => e is ChannelLeftBridgeEvent l && l.Channel.Id == call.ChannelId);

        var replacement = await h.Client.CreateExternalMediaAsync(AriHarness.App, second.HostPort, "slin16", callId);
        Assert.Equal($"AudioSocket/{second.HostPort}-{callId:D}", replacement.Name);
        await h.UntilAsync<StasisStartEvent>(s => s.Channel.Id == replacement.Id);
        await h.Client.AddChannelsAsync(bridge.Id, [replacement.Id]);
        var entered = await h.UntilAsync<ChannelEnteredBridgeEvent>(e => e.Channel?.Id == replacement.Id);
        Assert.Equal(2, ((ChannelEnteredBridgeEvent)entered[^1]).Bridge.Channels.Count);
        Assert.Equal(callId, new Guid((await second.NextFrameAsync()).Payload, bigEndian: true));

        // The caller's audio goes on where it was, not from its start: the position is the caller's, not the leg's.
        var resumed = (await second.NextFrameAsync()).Payload;
        var at = Enumerable.Range(0, speech.Length / 640).Single(k => speech.AsSpan(k * 640, 640).SequenceEqual(resumed));
        Assert.InRange(at, 2, speech.Length / 640 - 2);
        Assert.Equal(speech.AsSpan((at + 1) * 640, 640).ToArray(), (await second.NextFrameAsync()).Payload);
        Assert.Equal(bridge.Id, call.BridgeId);
        Assert.Equal(1, call.AddChannelRequests);
        Assert.Equal([call.ChannelId, replacement.Id], h.Emulator.Bridges.Single().ChannelIds);
    }

    private static string Describe(AriEvent e) => e is ChannelVarsetEvent v ? $"ChannelVarset {v.Variable}" : e.Type;

    [Fact]
    public async Task Requests_are_counted_per_call_id_and_per_caller()
    {
        await using var h = await AriHarness.StartAsync();
        await using var gateway = new LoopbackGateway();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App);
        var callId = Guid.NewGuid();
        var external = await h.Client.CreateExternalMediaAsync(AriHarness.App, gateway.HostPort, "slin", callId);
        await h.UntilAsync<StasisStartEvent>(s => s.Channel.Id == external.Id);
        var bridge = await h.Client.CreateBridgeAsync();
        await h.Client.AddChannelsAsync(bridge.Id, [call.ChannelId, external.Id]);
        Assert.Equal(1, h.Emulator.ExternalMediaRequestsFor(callId));
        Assert.Equal(0, h.Emulator.ExternalMediaRequestsFor(Guid.NewGuid()));
        Assert.Equal((1, 1, 1), (h.Emulator.ExternalMediaRequests, h.Emulator.BridgeRequests, h.Emulator.AddChannelRequests));
        Assert.Equal(1, call.AddChannelRequests);
        Assert.Equal(bridge.Id, call.BridgeId);
    }

    [Fact]
    public async Task The_offline_control_API_places_a_caller_presses_a_key_and_hangs_up()
    {
        await using var h = await AriHarness.StartAsync();
        using var http = new HttpClient { BaseAddress = new Uri(h.Emulator.BaseUrl.Replace("/ari", "/", StringComparison.Ordinal)) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", h.Endpoint.BasicAuthorization()["Basic ".Length..]);
        using var placed = await http.PostAsync("emulator/calls?app=aiagent&args=a,b", null);
        Assert.Equal(200, (int)placed.StatusCode);
        var start = await h.NextAsync<StasisStartEvent>();
        Assert.Equal(["a", "b"], start.Args);
        Assert.Contains(start.Channel.Id, await placed.Content.ReadAsStringAsync());

        Assert.Equal(204, (int)(await http.PostAsync($"emulator/calls/{start.Channel.Id}/dtmf?digit=5", null)).StatusCode);
        Assert.Equal("5", (await h.NextAsync<ChannelDtmfReceivedEvent>()).Digit);
        Assert.Equal(204, (int)(await http.PostAsync($"emulator/calls/{start.Channel.Id}/hangup", null)).StatusCode);
        Assert.Equal(16, (await h.NextAsync<ChannelHangupRequestEvent>()).Cause);
        Assert.Contains("\"gone\":true", await http.GetStringAsync($"emulator/calls/{start.Channel.Id}"));

        using var anonymous = new HttpClient();
        Assert.Equal(401, (int)(await anonymous.PostAsync(new Uri(http.BaseAddress!, "emulator/calls?app=aiagent"), null)).StatusCode);
    }
}
