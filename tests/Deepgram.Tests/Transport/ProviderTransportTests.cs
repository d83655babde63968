using System.Net.WebSockets;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Providers.Transport;
using AiAgent.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AiAgent.Deepgram.Tests.Transport;

/// <summary>The shared provider transport over real loopback WebSockets, on a fake clock.</summary>
public sealed class ProviderTransportTests
{
    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task First_reconnect_after_a_loss_is_immediate_and_later_ones_back_off()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync();
        server.Reject = index => index is 1 or 2 ? 503 : null;
        var time = new FakeTimeProvider();
        var observer = new RecordingObserver();
        await using var transport = Create(server, observer, time, new ProviderTransportOptions { MaxReconnectAttempts = 3, Randomizer = () => 0.5 });
        transport.Start();
        await (await server.SocketAsync(0)).SendTextAsync("ready");
        Assert.Null(await transport.FirstReady.WaitAsync(Waits.Long));

        await server.Sockets[0].CloseAsync();

        // The reconnect right after the loss needs no time to pass.
        await Waits.UntilAsync(() => server.Upgrades == 2, what: "immediate reconnect");
        Assert.Equal(time.GetUtcNow(), time.Start);
        // The next one waits a backoff delay (jittered, at most 4 s).
        var waited = await time.AdvanceUntilAsync(() => server.Upgrades == 3, Step, "second reconnect");
        Assert.InRange(waited, Step, ReconnectBackoff.MaxDelay + Step);
        var waitedAgain = await time.AdvanceUntilAsync(() => server.Upgrades == 4, Step, "third reconnect");
        Assert.InRange(waitedAgain, waited, ReconnectBackoff.MaxDelay + Step);
        await (await server.SocketAsync(1)).SendTextAsync("ready");
        await Waits.UntilAsync(() => transport.Current is { IsReady: true }, what: "ready again");

        Assert.Equal(["connecting First 0", "lost CONNECTION_CLOSED", "fault CONNECTION_CLOSED", "connecting Reconnect 1", "fault CONNECT_FAILED",
            "connecting Reconnect 2", "fault CONNECT_FAILED", "connecting Reconnect 3"], observer.Calls);
        Assert.Equal(["hello:First"], server.Sockets[0].Texts);
        Assert.Equal(["hello:Reconnect"], server.Sockets[1].Texts);
    }

    [Fact]
    public async Task Reconnects_end_after_the_configured_consecutive_failures()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync();
        server.Reject = index => index > 0 ? 503 : null;
        var time = new FakeTimeProvider();
        var observer = new RecordingObserver();
        await using var transport = Create(server, observer, time, new ProviderTransportOptions { MaxReconnectAttempts = 2 });
        transport.Start();
        await (await server.SocketAsync(0)).SendTextAsync("ready");
        await transport.FirstReady.WaitAsync(Waits.Long);

        await server.Sockets[0].SendTextAsync("error:BROKE");

        await time.AdvanceUntilAsync(() => observer.Ended.Task.IsCompleted, Step, "ended");
        var end = await observer.Ended.Task;
        Assert.Equal(TransportEndKind.ReconnectsExhausted, end.Kind);
        Assert.Equal("CONNECT_FAILED", end.Fault?.Code);
        Assert.Equal(3, server.Upgrades); // the first connection, then two attempts
        Assert.Equal(2, observer.Count("fault CONNECT_FAILED"));
    }

    [Fact]
    public async Task A_refused_upgrade_reports_its_HTTP_status_and_a_final_fault_ends_at_once()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync();
        server.Reject = _ => 401;
        var observer = new RecordingObserver();
        var protocol = new TestProtocol(server.Endpoint);
        await using var transport = new ProviderTransport(protocol, observer, new ProviderTransportOptions { MaxReconnectAttempts = 3 }, new FakeTimeProvider());
        transport.Start();

        var fault = await transport.FirstReady.WaitAsync(Waits.Long);

        Assert.Equal("HTTP_401", fault?.Code);
        Assert.Equal(401, Assert.Single(protocol.UpgradeFailures).StatusCode);
        Assert.Equal("transport", server.LastTestHeader);
        Assert.Equal(TransportEndKind.Failed, (await observer.Ended.Task.WaitAsync(Waits.Long)).Kind);
        Assert.Equal(1, server.Upgrades);
    }

    [Fact]
    public async Task A_transport_stopped_before_it_started_tells_its_observer_once_and_takes_no_more_audio()
    {
        var observer = new RecordingObserver();
        await using var transport = new ProviderTransport(new TestProtocol(new Uri("ws://127.0.0.1:9/")), observer, new ProviderTransportOptions(), new FakeTimeProvider());

        await transport.StopAsync(CancellationToken.None);
        await transport.StopAsync(CancellationToken.None);

        Assert.Equal(TransportEndKind.Stopped, (await observer.Ended.Task.WaitAsync(Waits.Long)).Kind);
        Assert.Equal(["ended Stopped "], observer.Calls);
        Assert.False(transport.SendAudio(new byte[320]));
    }

    [Fact]
    public async Task No_ready_within_the_connect_budget_is_a_CONNECT_TIMEOUT()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync();
        var time = new FakeTimeProvider();
        var observer = new RecordingObserver();
        await using var transport = Create(server, observer, time, new ProviderTransportOptions { MaxReconnectAttempts = 0 });
        transport.Start();
        await server.SocketAsync(0);

        var waited = await time.AdvanceUntilAsync(() => transport.FirstReady.IsCompleted, TimeSpan.FromMilliseconds(250), "connect timeout");

        var fault = await transport.FirstReady;
        Assert.Equal("CONNECT_TIMEOUT", fault?.Code);
        Assert.Equal("no ready within 5000 ms", fault?.Description);
        Assert.InRange(waited, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5.25));
        Assert.Equal(TransportEndKind.ReconnectsExhausted, (await observer.Ended.Task.WaitAsync(Waits.Long)).Kind);
    }

    [Fact]
    public async Task Keepalive_goes_out_only_while_nothing_else_is_sent()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync();
        var time = new FakeTimeProvider();
        var observer = new RecordingObserver();
        await using var transport = Create(server, observer, time, new ProviderTransportOptions());
        transport.Start();
        var socket = await server.SocketAsync(0);
        await socket.SendTextAsync("ready");
        await transport.FirstReady.WaitAsync(Waits.Long);

        // Audio every second: the socket is never idle for the 2 s interval.
        for (var i = 1; i <= 4; i++)
        {
            transport.SendAudio(new byte[160]);
            await Waits.UntilAsync(() => socket.Binaries.Count() == i, what: $"audio {i}");
            time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.DoesNotContain("ka", socket.Texts);

        // Silence: a keep-alive once the socket has been idle for the interval.
        var waited = await time.AdvanceUntilAsync(() => socket.Texts.Contains("ka"), Step, "keep-alive");
        Assert.InRange(waited, TimeSpan.Zero, TimeSpan.FromSeconds(2) + Step);
        Assert.Equal(1, observer.Count("keepalive"));
    }

    [Fact]
    public async Task Before_ready_control_is_held_and_only_the_newest_audio_within_budget()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync();
        var observer = new RecordingObserver();
        await using var transport = Create(server, observer, new FakeTimeProvider(), new ProviderTransportOptions());
        transport.Start();
        var socket = await server.SocketAsync(0);

        transport.SendAudio(new byte[400]);
        transport.SendAudio(new byte[401]);
        transport.SendControl("ctl"u8.ToArray());
        transport.SendAudio(new byte[402]);
        await Waits.UntilAsync(() => observer.Count("dropped") == 1, what: "oldest audio dropped");
        await socket.SendTextAsync("ready");

        await Waits.UntilAsync(() => socket.Received.Count == 4, what: "held items sent");
        Assert.Equal(["hello:First", "ctl"], socket.Texts);
        Assert.Equal([401, 402], socket.Binaries.Select(b => b.Length));
        Assert.Contains("dropped BeforeReady 400 True", observer.Calls);
    }

    [Fact]
    public async Task Stop_closes_the_socket_with_a_close_handshake()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync();
        var observer = new RecordingObserver();
        await using var transport = Create(server, observer, new FakeTimeProvider(), new ProviderTransportOptions());
        transport.Start();
        var socket = await server.SocketAsync(0);
        await socket.SendTextAsync("ready");
        await transport.FirstReady.WaitAsync(Waits.Long);
        transport.SendAudio(new byte[10]);

        await transport.StopAsync(CancellationToken.None).WaitAsync(Waits.Long);

        Assert.Equal((WebSocketCloseStatus.NormalClosure, "call ended"), socket.ClientClose);
        Assert.Single(socket.Binaries); // queued audio went out before the close
        Assert.Equal(TransportEndKind.Stopped, (await observer.Ended.Task).Kind);
        Assert.False(transport.SendAudio(new byte[10]));
    }

    [Fact]
    public async Task Several_transports_serve_several_sockets_of_one_session_independently()
    {
        await using var stt = await LoopbackWebSocketServer.StartAsync();
        await using var tts = await LoopbackWebSocketServer.StartAsync();
        var time = new FakeTimeProvider();
        var sttObserver = new RecordingObserver();
        var ttsObserver = new RecordingObserver();
        await using var toStt = Create(stt, sttObserver, time, new ProviderTransportOptions());
        await using var toTts = Create(tts, ttsObserver, time, new ProviderTransportOptions());
        toStt.Start();
        toTts.Start();
        await (await stt.SocketAsync(0)).SendTextAsync("ready");
        await (await tts.SocketAsync(0)).SendTextAsync("ready");
        await Task.WhenAll(toStt.FirstReady, toTts.FirstReady).WaitAsync(Waits.Long);

        toStt.SendAudio(new byte[320]);
        toTts.SendControl("speak"u8.ToArray());
        await Waits.UntilAsync(() => stt.Sockets[0].Binaries.Any() && tts.Sockets[0].Texts.Contains("speak"), what: "both sockets used");

        // One socket failing reconnects that socket only.
        await tts.Sockets[0].SendTextAsync("error:TTS_BROKE");
        await tts.SocketAsync(1);
        Assert.Equal(1, stt.Upgrades);
        Assert.DoesNotContain("speak", stt.Sockets[0].Texts);
        Assert.Empty(tts.Sockets[0].Binaries);
        Assert.Equal(0, sttObserver.Count("fault"));
        Assert.Equal(1, ttsObserver.Count("fault TTS_BROKE"));
    }

    [Fact]
    public async Task A_planned_rollover_hands_the_call_to_a_prepared_connection_and_closes_the_old_one()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync();
        var time = new FakeTimeProvider();
        var observer = new RecordingObserver();
        var quiet = false;
        await using var transport = Create(server, observer, time, new ProviderTransportOptions
        {
            // Planned from 5 s at a quiet moment, forced at 8.75 s.
            RolloverSchedule = _ => RolloverSchedule.For(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(6)),
            IsQuiet = () => Volatile.Read(ref quiet),
        });
        transport.Start();
        var old = await server.SocketAsync(0);
        await old.SendTextAsync("ready");
        await transport.FirstReady.WaitAsync(Waits.Long);

        // Not quiet: nothing happens at the planned moment.
        await time.AdvanceUntilAsync(() => time.GetUtcNow() - time.Start >= TimeSpan.FromSeconds(6), Step, "past the planned moment");
        Assert.Equal(1, server.Upgrades);
        Volatile.Write(ref quiet, true);
        await time.AdvanceUntilAsync(() => server.Sockets.Count == 2, Step, "successor opened");
        var successor = server.Sockets[1];
        await Waits.UntilAsync(() => successor.Texts.Contains("hello:Rollover"), what: "successor configured");
        Assert.Null(old.ClientClose); // the old connection carries the call until the successor is ready

        await successor.SendTextAsync("ready");
        await Waits.UntilAsync(() => old.ClientClose is not null, what: "old socket closed");
        Assert.Equal((WebSocketCloseStatus.NormalClosure, "session rollover"), old.ClientClose);
        await Waits.UntilAsync(() => observer.Calls.Contains("handover quiet moment"), what: "handover");
        transport.SendAudio(new byte[20]);
        await Waits.UntilAsync(() => successor.Binaries.Any(), what: "audio on the successor");
        Assert.Empty(old.Binaries);
        Assert.DoesNotContain(observer.Calls, c => c.StartsWith("fault", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_control_message_bound_to_a_socket_is_not_sent_on_its_replacement()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync();
        var observer = new RecordingObserver();
        await using var transport = Create(server, observer, new FakeTimeProvider(), new ProviderTransportOptions());
        transport.Start();
        var first = await server.SocketAsync(0);
        await first.SendTextAsync("ready");
        await transport.FirstReady.WaitAsync(Waits.Long);
        var connection = transport.Current!;

        // The socket fails before its send loop takes the answer (the queue holds audio nobody sends while reconnecting).
        await first.SendTextAsync("error:BROKE");
        await Waits.UntilAsync(() => transport.Current is not null && transport.Current != connection, what: "replacement");
        connection.SendControl("answer-for-the-old-socket"u8.ToArray());
        transport.SendControl("for-any-socket"u8.ToArray());
        var second = await server.SocketAsync(1);
        await second.SendTextAsync("ready");

        await Waits.UntilAsync(() => second.Texts.Contains("for-any-socket"), what: "unbound control");
        Assert.DoesNotContain("answer-for-the-old-socket", second.Texts);
    }

    [Fact]
    public async Task A_handshake_may_answer_the_server_before_ready_while_caller_audio_waits()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync();
        var observer = new RecordingObserver();
        await using var transport = Create(server, observer, new FakeTimeProvider(), new ProviderTransportOptions());
        transport.Start();
        var socket = await server.SocketAsync(0);
        transport.SendAudio(new byte[40]);

        await socket.SendTextAsync("created");
        await Waits.UntilAsync(() => socket.Texts.Contains("update"), what: "handshake answer");
        Assert.Empty(socket.Binaries);
        await socket.SendTextAsync("ready");

        await Waits.UntilAsync(() => socket.Binaries.Any(), what: "held audio");
        Assert.Equal(["hello:First", "update"], socket.Texts);
        Assert.Null(await transport.FirstReady.WaitAsync(Waits.Long));
    }

    [Fact]
    public async Task A_final_fault_ends_the_transport_without_reconnecting()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync();
        var observer = new RecordingObserver();
        await using var transport = Create(server, observer, new FakeTimeProvider(), new ProviderTransportOptions { MaxReconnectAttempts = 5 });
        transport.Start();
        var socket = await server.SocketAsync(0);
        await socket.SendTextAsync("ready");
        await transport.FirstReady.WaitAsync(Waits.Long);

        await socket.SendTextAsync("error:INVALID_FINAL");

        var end = await observer.Ended.Task.WaitAsync(Waits.Long);
        Assert.Equal(TransportEndKind.Failed, end.Kind);
        Assert.Equal("INVALID_FINAL", end.Fault?.Code);
        Assert.Equal(1, server.Upgrades);
        Assert.False(transport.SendAudio(new byte[10]));
    }

    [Fact]
    public async Task A_server_silent_while_an_answer_is_due_is_a_lost_connection_counted_from_its_last_message()
    {
        await using var server = await LoopbackWebSocketServer.StartAsync();
        var time = new FakeTimeProvider();
        var observer = new RecordingObserver();
        var protocol = new TestProtocol(server.Endpoint) { ServerSilenceLimit = TimeSpan.FromSeconds(5) };
        await using var transport = new ProviderTransport(protocol, observer, new ProviderTransportOptions { MaxReconnectAttempts = 3 }, time);
        transport.Start();
        await (await server.SocketAsync(0)).SendTextAsync("ready");
        await transport.FirstReady.WaitAsync(Waits.Long);

        // A quiet conversation is no stall: the silence counts only from when an answer became due ...
        time.Advance(TimeSpan.FromSeconds(20));
        protocol.AnswerDue = true;
        time.Advance(TimeSpan.FromSeconds(3));
        // ... and from the server's last message since.
        await server.Sockets[0].SendTextAsync("delta");
        await Waits.UntilAsync(() => protocol.Texts.Contains("delta"), what: "the server's message read");
        var waited = await time.AdvanceUntilAsync(() => observer.Calls.Contains("lost SERVER_SILENT"), Step, "silence noticed");

        Assert.InRange(waited, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5) + TimeSpan.FromSeconds(1.25) + Step);
        await Waits.UntilAsync(() => server.Upgrades == 2, what: "reconnect");
        Assert.Equal(["connecting First 0", "lost SERVER_SILENT", "fault SERVER_SILENT", "connecting Reconnect 1"], observer.Calls.Where(static c => c != "keepalive"));
    }

    private static ProviderTransport Create(LoopbackWebSocketServer server, RecordingObserver observer, TimeProvider time, ProviderTransportOptions options) =>
        new(new TestProtocol(server.Endpoint), observer, options, time);
}
