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
    public async Task Malformed_events_are_logged_and_skipped_and_unknown_types_arrive_as_UnknownAriEvent()
    {
        await using var h = await AriHarness.StartAsync();
        Assert.True(h.Emulator.SendRawEvent(AriHarness.App, "not json at all"));
        Assert.True(h.Emulator.SendRawEvent(AriHarness.App, """{"type":"ChannelDtmfReceived","digit":"9","duration_ms":"long"}"""));
        Assert.True(h.Emulator.SendRawEvent(AriHarness.App, """{"type":"PlaybackStarted","application":"aiagent","playback":{"id":"p1"}}"""));
        var call = await h.Emulator.PlaceCallAsync(AriHarness.App);

        Assert.Equal("PlaybackStarted", (await h.NextAsync<UnknownAriEvent>()).Type);
        Assert.Equal(call.ChannelId, (await h.NextAsync<StasisStartEvent>()).Channel.Id);
        var malformed = h.Logs.WithEventId(6215);
        Assert.Equal(2, malformed.Count);
        Assert.Equal([1L, 2L], malformed.Select(l => (long)l.State["Sequence"]!));
        // The skipped DTMF digit is not in any log.
        Assert.DoesNotContain("\"9\"", h.Logs.AllText());
        Assert.False(h.Pump.IsCompleted);
    }

    [Fact]
    public async Task Reading_events_is_cancelled_by_its_token()
    {
        await using var h = await AriHarness.StartAsync(connect: false);
        await using var connection = await AriEventConnection.ConnectAsync(h.Endpoint);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in connection.ReadEventsAsync(cancel.Token))
            {
                Assert.Fail($"no event expected, got {e.Type}");
            }
        });
    }

    [Fact]
    public async Task An_unreachable_Asterisk_is_AriConnectionLostException_without_the_key_in_the_message()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        var port = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var endpoint = new AriEndpoint(new Uri($"http://127.0.0.1:{port}/ari"), "aiagent", "user", "s3cret-value");
        var e = await Assert.ThrowsAsync<AriConnectionLostException>(() => AriEventConnection.ConnectAsync(endpoint));
        Assert.DoesNotContain("s3cret-value", e.ToString());
        Assert.Equal($"ws://127.0.0.1:{port}/ari/events?app=aiagent", endpoint.EventsUriForLog());
        Assert.Equal($"ws://127.0.0.1:{port}/ari/events?app=aiagent&api_key=user:s3cret-value", endpoint.EventsUri().AbsoluteUri);
    }

    [Fact]
    public async Task Placing_a_call_with_no_socket_for_the_application_fails_like_Stasis_does()
    {
        await using var h = await AriHarness.StartAsync(connect: false);
        await Assert.ThrowsAsync<InvalidOperationException>(() => h.Emulator.PlaceCallAsync(AriHarness.App));
    }
}
