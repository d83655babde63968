using AiAgent.Grains.Asterisk.Ari;

namespace AiAgent.Asterisk.Tests;

/// <summary>The events socket: drops, graceful closes, and a second socket for the same application.</summary>
public sealed class EventConnectionTests
{
    [Fact]
    public async Task A_dropped_socket_ends_the_stream_with_AriConnectionLostException_and_calls_stay()
    {
        await using var h = await AriHarness.StartAsync();
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App);
        await h.NextAsync<StasisStartEvent>();
        h.Emulator.DropEventConnections();
        await Assert.ThrowsAsync<AriConnectionLostException>(() => h.Pump);
        Assert.True(call.InStasis);

        // Reconnected, the application sees the calls in progress by listing, and events resume.
        await h.ConnectAsync();
        Assert.Contains(await h.Client.ListChannelsAsync(), c => c.Id == call.ChannelId);
        await call.SendDtmfAsync('7');
        Assert.Equal("7", (await h.NextAsync<ChannelDtmfReceivedEvent>()).Digit);
        Assert.Equal(2, h.Emulator.EventConnectionsAccepted);
    }

    [Fact]
    public async Task A_socket_closed_with_a_close_frame_completes_the_stream()
    {
        await using var h = await AriHarness.StartAsync();
        h.Emulator.DropEventConnections(graceful: true);
        await h.Pump.WaitAsync(Waits.Long);
        Assert.True(h.Pump.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Events_go_to_the_newest_socket_of_an_application_only()
    {
        await using var h = await AriHarness.StartAsync();
        await using var second = await AriEventConnection.ConnectAsync(h.Endpoint);
        await h.Emulator.WaitUntilAsync(() => h.Emulator.OpenEventConnections == 2, Waits.Long, "two sockets");
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App);
        await using var events = second.ReadEventsAsync().GetAsyncEnumerator();
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Waits.Long));
        Assert.Equal(call.ChannelId, Assert.IsType<StasisStartEvent>(events.Current).Channel.Id);

        // The first socket stays open but idle: by the time a later event reached the second, nothing reached the first.
        await call.SendDtmfAsync('1');
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(Waits.Long));
        Assert.IsType<ChannelDtmfReceivedEvent>(events.Current);
        Assert.Empty(h.Drain());
        Assert.Equal(2, h.Emulator.OpenEventConnections);
        Assert.All(h.Emulator.Events, e => Assert.True(e.Delivered));
    }

    [Fact]
    public async Task Placing_a_call_with_no_socket_for_the_application_fails_like_Stasis_does()
    {
        await using var h = await AriHarness.StartAsync(connect: false);
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Emulator.PlaceCallAsync(AriHarness.App));
    }
}
