using Microsoft.Extensions.Logging;
using System.Net;
using AiAgent.Grains.Asterisk.Ari;

namespace AiAgent.Asterisk.Tests;

/// <summary>The REST client against the emulator on loopback: each request and its documented answers.</summary>
public sealed class AriClientRestTests
{
    [Fact]
    public async Task Answer_turns_the_caller_Up_and_an_unknown_channel_is_404_Channel_not_found()
    {
        await using var h = await AriHarness.StartAsync();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App, ["arg1"]);
        var start = await h.NextAsync<StasisStartEvent>();
        Assert.Equal("Ring", start.Channel.State);

        await h.Client.AnswerAsync(call.ChannelId);
        Assert.Equal("Up", (await h.NextAsync<ChannelStateChangeEvent>()).Channel.State);
        Assert.Equal(1, call.AnswerRequests);

        var e = await Assert.ThrowsAsync<AriException>(() => h.Client.AnswerAsync("1.999"));
        Assert.Equal(HttpStatusCode.NotFound, e.StatusCode);
        Assert.Equal("Channel not found", e.AriMessage);
    }

    [Fact]
    public async Task Hangup_is_true_then_false_when_the_channel_is_already_gone()
    {
        await using var h = await AriHarness.StartAsync();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App);
        Assert.True(await h.Client.HangupAsync(call.ChannelId));
        Assert.False(await h.Client.HangupAsync(call.ChannelId));
        Assert.True(call.IsGone);
        Assert.Contains(h.Emulator.Requests, r => r.Method == "DELETE" && r.Query == "?reason_code=16" && r.StatusCode == 204);
        Assert.Contains(h.Emulator.Requests, r => r.Method == "DELETE" && r.StatusCode == 404);
    }

    [Fact]
    public async Task Continue_twice_is_409_Channel_not_in_Stasis_application()
    {
        await using var h = await AriHarness.StartAsync();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App);
        await h.Client.ContinueAsync(call.ChannelId, "sales", "200", 1);
        Assert.Equal("sales,200,1", call.ContinuedTo);
        Assert.False(call.InStasis);
        var e = await Assert.ThrowsAsync<AriException>(() => h.Client.ContinueAsync(call.ChannelId, "sales", "200", 1));
        Assert.Equal(HttpStatusCode.Conflict, e.StatusCode);
        Assert.Equal("Channel not in Stasis application", e.AriMessage);
        // Outside Stasis GET still works (docs/protocols/asterisk.md#after-audiosocket-returns).
        Assert.NotNull(await h.Client.GetChannelAsync(call.ChannelId));
    }

    [Fact]
    public async Task Variables_are_set_read_and_a_missing_one_is_null()
    {
        await using var h = await AriHarness.StartAsync();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App);
        await h.Client.SetVariableAsync(call.ChannelId, "X", "Y");
        Assert.Equal("Y", await h.Client.GetVariableAsync(call.ChannelId, "X"));
        Assert.Null(await h.Client.GetVariableAsync(call.ChannelId, "NOPE"));
        Assert.Null(await h.Client.GetVariableAsync("1.999", "X"));
        await h.UntilAsync<ChannelVarsetEvent>(v => v.Variable == "X" && v.Value == "Y");
    }

    [Fact]
    public async Task Hold_music_goes_on_and_off()
    {
        await using var h = await AriHarness.StartAsync();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App);
        await h.Client.StartMohAsync(call.ChannelId);
        Assert.True(call.OnHold);
        await h.Client.StopMohAsync(call.ChannelId);
        Assert.False(call.OnHold);
    }

    [Fact]
    public async Task Channels_are_listed_and_an_unknown_one_is_null()
    {
        await using var h = await AriHarness.StartAsync();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App);
        var channels = await h.Client.ListChannelsAsync();
        var channel = Assert.Single(channels);
        Assert.Equal(call.ChannelId, channel.Id);
        Assert.Equal("Stasis", channel.Dialplan!.AppName);
        Assert.Null(await h.Client.GetChannelAsync("1.999"));
    }

    [Fact]
    public async Task A_mixing_bridge_is_created_filled_and_destroyed_once()
    {
        await using var h = await AriHarness.StartAsync();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App);
        var bridge = await h.Client.CreateBridgeAsync();
        Assert.Equal(("simple_bridge", "mixing"), (bridge.Technology, bridge.BridgeType));
        await h.Client.AddChannelsAsync(bridge.Id, [call.ChannelId]);
        Assert.Equal([call.ChannelId], (await h.Client.GetBridgeAsync(bridge.Id))!.Channels);
        Assert.Single(await h.Client.ListBridgesAsync());
        Assert.Equal(1, call.AddChannelRequests);

        var missing = await Assert.ThrowsAsync<AriException>(() => h.Client.AddChannelsAsync("no-such-bridge", [call.ChannelId]));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        Assert.True(await h.Client.DestroyBridgeAsync(bridge.Id));
        Assert.False(await h.Client.DestroyBridgeAsync(bridge.Id));
        Assert.Null(await h.Client.GetBridgeAsync(bridge.Id));
        Assert.Empty(h.Emulator.Bridges);
        await h.UntilAsync<BridgeDestroyedEvent>();
    }

    [Fact]
    public async Task External_media_to_an_unreachable_host_is_500()
    {
        await using var h = await AriHarness.StartAsync();
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        var e = await Assert.ThrowsAsync<AriException>(() => h.Client.CreateExternalMediaAsync(AriHarness.App, $"127.0.0.1:{port}", "slin16", Guid.NewGuid()));
        Assert.Equal(HttpStatusCode.InternalServerError, e.StatusCode);
        Assert.Equal(1, h.Emulator.ExternalMediaRequests);
    }

    [Theory]
    [InlineData("transport=udp&data=9a1f5c1e-0d43-4a7e-9a55-3b0c8d7e6f10", 400)]
    [InlineData("transport=tcp&data=not-a-uuid", 500)]
    public async Task External_media_with_a_wrong_transport_is_400_and_a_non_UUID_data_500(string rest, int status)
    {
        await using var h = await AriHarness.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{h.Emulator.BaseUrl}/channels/externalMedia?app=aiagent&external_host=127.0.0.1:9&encapsulation=audiosocket&format=slin&{rest}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", h.Endpoint.BasicAuthorization()["Basic ".Length..]);
        using var response = await http.SendAsync(request);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Contains("\"message\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Bad_credentials_are_401_on_REST_and_on_the_events_socket_and_the_password_is_never_logged()
    {
        await using var h = await AriHarness.StartAsync(connect: false);
        var wrong = h.Endpoint with { Password = "wrong-password-123" };
        using var http = new HttpClient();
        var client = new AriClient(http, wrong, h.LoggerFactory.CreateLogger<AriClient>());
        var rest = await Assert.ThrowsAsync<AriException>(() => client.ListChannelsAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, rest.StatusCode);

        var events = await Assert.ThrowsAsync<AriException>(() => AriEventConnection.ConnectAsync(wrong, h.LoggerFactory.CreateLogger("ari")));
        Assert.Equal(HttpStatusCode.Unauthorized, events.StatusCode);
        Assert.Equal(2, h.Emulator.RejectedAuthentications);

        await h.ConnectAsync();
        await h.Client.ListChannelsAsync();
        var all = h.Logs.AllText() + rest + events;
        Assert.DoesNotContain("wrong-password-123", all);
        Assert.DoesNotContain(h.Emulator.Options.Password, all);
        Assert.DoesNotContain("api_key", all);
        Assert.DoesNotContain(h.Emulator.Options.Password, h.Endpoint.ToString());
    }

    [Fact]
    public async Task A_channel_subscription_brings_ChannelDestroyed_after_StasisEnd()
    {
        await using var h = await AriHarness.StartAsync();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App);
        await h.Client.SubscribeAsync(AriHarness.App, "channel:" + call.ChannelId);
        await h.Client.HangupAsync(call.ChannelId);
        var destroyed = (ChannelDestroyedEvent)(await h.UntilAsync<ChannelDestroyedEvent>())[^1];
        Assert.Equal((16, "Normal Clearing"), (destroyed.Cause, destroyed.CauseTxt));

        var unknownSource = await Assert.ThrowsAsync<AriException>(() => h.Client.SubscribeAsync(AriHarness.App, "channel:1.999"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, unknownSource.StatusCode);
    }

    [Theory]
    [InlineData("?reason=bogus", 400)]
    [InlineData("?reason=normal&reason_code=16", 400)]
    [InlineData("?reason=busy", 204)]
    public async Task Delete_validates_reason_and_reason_code(string query, int status)
    {
        await using var h = await AriHarness.StartAsync();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{h.Emulator.BaseUrl}/channels/{call.ChannelId}{query}");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", h.Endpoint.BasicAuthorization()["Basic ".Length..]);
        using var response = await http.SendAsync(request);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(status == 204, call.IsGone);
    }
}
