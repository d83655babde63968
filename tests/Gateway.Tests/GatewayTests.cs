using System.Threading.Channels;
using AiAgent.Gateway.AudioSocket;
using AiAgent.Gateway.Configuration;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;

namespace AiAgent.Gateway.Tests;

/// <summary>The gateway over real TCP on loopback against an in-process cluster hosting the fake call grain.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GatewayTests(ClusterFixture fixture)
{
    private const byte CallerByte = 0x45;
    private static readonly TimeSpan s_timeout = FakeAsterisk.Timeout;

    [Fact]
    public async Task A_call_gets_its_greeting_then_its_echo_in_exact_20ms_frames()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture);
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);

        await asterisk.SendUuidAsync(callId);
        for (var i = 0; i < 25; i++)
        {
            await asterisk.SendAudioAsync(Filled(320, CallerByte));
        }

        var frames = await asterisk.ReadAudioUntilAsync(f => f.Count(x => IsFilled(x, CallerByte)) == 25);

        var greeting = frames.Count(f => IsFilled(f, FakeCallGrain.GreetingByte));
        Assert.Equal(10, greeting);
        var firstEcho = frames.FindIndex(f => IsFilled(f, CallerByte));
        Assert.True(frames.FindLastIndex(f => IsFilled(f, FakeCallGrain.GreetingByte)) < firstEcho, "greeting first, then the echo");
        Assert.All(frames, f => Assert.True(IsFilled(f, FakeCallGrain.GreetingByte) || IsFilled(f, CallerByte) || IsFilled(f, 0), "only greeting, echo or silence"));

        var start = await record.Started.Task.WaitAsync(s_timeout);
        Assert.Equal(AudioFormat.Slin8, start.Format);
        Assert.Equal(TimeSpan.FromMilliseconds(20), start.FrameDuration);
        Assert.Equal("test-gateway", start.GatewayId);
        Assert.NotNull(start.RemoteEndpoint);
        // One message per inbound frame, numbered from 0. One-way calls may arrive reordered at a busy grain
        // (seen here: 0-5 then 24, 23, ...), which is why they carry sequence numbers: compare as a set.
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), record.AudioSequences.Order());

        var started = await NextReportAsync(record, r => r.UtteranceId == FakeCallGrain.GreetingUtterance);
        Assert.Equal(PlayoutEvent.Started, started.Event);
        Assert.True(started.PlatformLatency >= TimeSpan.Zero);
        var completed = await NextReportAsync(record, r => r.UtteranceId == FakeCallGrain.GreetingUtterance);
        Assert.Equal(PlayoutEvent.Completed, completed.Event);
        Assert.Equal(200, completed.PlayedMilliseconds);

        await asterisk.DisposeAsync();
        Assert.Equal(CallEndReason.CallerHangup, await record.HungUp.Task.WaitAsync(s_timeout));
    }

    [Fact]
    public async Task Frames_written_one_byte_at_a_time_are_reassembled()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture);
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        var session = new System.Buffers.ArrayBufferWriter<byte>();
        AudioSocketFrameWriter.WriteUuid(session, callId);
        AudioSocketFrameWriter.WriteAudio(session, AudioSocketKind.Slin8, Filled(320, CallerByte));
        AudioSocketFrameWriter.WriteDtmf(session, '9');

        // NoDelay is set: each one-byte write leaves as its own segment, splitting every header.
        foreach (var b in session.WrittenSpan.ToArray())
        {
            await asterisk.SendRawAsync([b]);
        }

        Assert.Equal('9', await record.Dtmf.Reader.ReadAsync().AsTask().WaitAsync(s_timeout));
        await asterisk.ReadAudioUntilAsync(f => f.Any(x => IsFilled(x, CallerByte)));
        Assert.Equal([0L], record.AudioSequences);
    }

    [Fact]
    public async Task Dtmf_between_audio_frames_reaches_the_grain_and_invalid_digits_are_ignored()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture);
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);

        await asterisk.SendUuidAsync(callId);
        await asterisk.SendAudioAsync(new byte[320]);
        await asterisk.SendDtmfAsync('5');
        await asterisk.SendAudioAsync(new byte[160]);
        await asterisk.SendDtmfAsync('#');
        await asterisk.SendDtmfAsync('x');
        await asterisk.SendDtmfAsync('D');
        await asterisk.SendAudioAsync(new byte[480]);

        Assert.Equal('5', await record.Dtmf.Reader.ReadAsync().AsTask().WaitAsync(s_timeout));
        Assert.Equal('#', await record.Dtmf.Reader.ReadAsync().AsTask().WaitAsync(s_timeout));
        Assert.Equal('D', await record.Dtmf.Reader.ReadAsync().AsTask().WaitAsync(s_timeout));
        Assert.False(record.HungUp.Task.IsCompleted);

        // The call is still up: audio of any even length keeps flowing. (Echo chunks of 160 and 480 bytes may
        // arrive reordered, so the echoed bytes need not be frame-aligned: look for them inside frames.)
        await asterisk.SendAudioAsync(Filled(320, CallerByte));
        await asterisk.ReadAudioUntilAsync(f => f.Any(x => x.Contains(CallerByte)));
        await WaitForAsync(() => record.AudioSequences.Count >= 4);
        Assert.Equal(4, record.AudioSequences.Count);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Eof_or_a_hangup_frame_from_the_peer_ends_the_grain_call(bool sendHangupFrame)
    {
        await using var gateway = await GatewayHost.StartAsync(fixture);
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        await asterisk.SendUuidAsync(callId);
        await asterisk.SendAudioAsync(new byte[320]);
        await record.Started.Task.WaitAsync(s_timeout);

        if (sendHangupFrame)
        {
            await asterisk.SendRawAsync([0x00, 0x00, 0x00]);
            await asterisk.ReadUntilClosedAsync(expectHangup: false);
        }
        else
        {
            await asterisk.DisposeAsync();
        }

        Assert.Equal(CallEndReason.CallerHangup, await record.HungUp.Task.WaitAsync(s_timeout));
    }

    [Fact]
    public async Task A_half_close_is_answered_by_closing_our_side()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture);
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        await asterisk.SendUuidAsync(callId);
        await asterisk.SendAudioAsync(new byte[320]);
        await record.Started.Task.WaitAsync(s_timeout);

        asterisk.ShutdownSend();

        // EOF on our read proves the server sent FIN: its socket is not left in CLOSE-WAIT.
        await asterisk.ReadUntilClosedAsync(expectHangup: false);
        Assert.Equal(CallEndReason.CallerHangup, await record.HungUp.Task.WaitAsync(s_timeout));
    }

    [Theory]
    [InlineData("slin", AudioSocketKind.Slin16)]   // current Asterisk labels the rate: the label decides
    [InlineData("slin16", AudioSocketKind.Slin16)]
    public async Task A_call_labelled_slin16_gets_640_byte_frames_labelled_slin16(string configuredFormat, AudioSocketKind label)
    {
        await using var gateway = await GatewayHost.StartAsync(fixture, new Dictionary<string, string?> { ["audiosocket:format"] = configuredFormat });
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);

        await asterisk.SendUuidAsync(callId);
        for (var i = 0; i < 5; i++)
        {
            await asterisk.SendAudioAsync(Filled(640, CallerByte), label);
        }

        var frames = await asterisk.ReadAudioUntilAsync(f => f.Count(x => IsFilled(x, CallerByte)) == 5, expectedAudioBytes: 640, expectedKind: label);

        Assert.Equal(10, frames.Count(f => IsFilled(f, FakeCallGrain.GreetingByte)));
        var start = await record.Started.Task.WaitAsync(s_timeout);
        Assert.Equal(AudioFormat.Slin16, start.Format);
        Assert.Null(start.PlayoutFormat);
    }

    [Theory]
    [InlineData("slin16", 640)] // Asterisk before 20.17 labels a c(slin16) channel's 640-byte frames 0x10
    [InlineData("ulaw", 160)]   // every Asterisk labels a c(ulaw) channel's µ-law bytes 0x10
    [InlineData("alaw", 160)]
    public async Task Audio_labelled_0x10_is_taken_as_configured_and_answered_in_slin_8khz(string configuredFormat, int callerFrameBytes)
    {
        await using var gateway = await GatewayHost.StartAsync(fixture, new Dictionary<string, string?> { ["audiosocket:format"] = configuredFormat });
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);

        await asterisk.SendUuidAsync(callId);
        await asterisk.SendAudioAsync(Filled(callerFrameBytes, CallerByte));

        // Asterisk decodes a 0x10 frame it receives as slin 8 kHz whatever the channel carries.
        var frames = await asterisk.ReadAudioUntilAsync(f => f.Count(x => IsFilled(x, FakeCallGrain.GreetingByte)) == 10, expectedAudioBytes: 320, expectedKind: AudioSocketKind.Slin8);
        Assert.All(frames, f => Assert.Equal(320, f.Length));
        var start = await record.Started.Task.WaitAsync(s_timeout);
        Assert.Equal(AudioSocketFormats.Parse(configuredFormat), start.Format);
        Assert.Equal(AudioFormat.Slin8, start.PlayoutFormat);
    }

    [Fact]
    public async Task A_rate_label_that_comes_after_the_uuid_still_decides_the_format()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture, new Dictionary<string, string?> { ["audiosocket:format_probe_ms"] = "10000" });
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);

        // Dial(AudioSocket/...) or ARI: the UUID comes when the call is placed, audio once the channel is bridged
        // (here 300 ms later; the gateway used to decide the format after 100 ms).
        await asterisk.SendUuidAsync(callId);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        await asterisk.SendAudioAsync(Filled(960, CallerByte), AudioSocketKind.Slin24);

        var start = await record.Started.Task.WaitAsync(s_timeout);
        Assert.Equal(AudioFormat.Slin24, start.Format);
        await asterisk.ReadAudioUntilAsync(f => f.Count(x => IsFilled(x, FakeCallGrain.GreetingByte)) == 10, expectedAudioBytes: 960, expectedKind: AudioSocketKind.Slin24);
    }

    [Fact]
    public async Task Flush_drops_queued_audio_and_reports_what_was_played()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture);
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        var control = FakeCallGrain.Control(fixture.Cluster.Client, callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        await asterisk.SendUuidAsync(callId);
        await record.Started.Task.WaitAsync(s_timeout);

        const int Long = 7;
        const int Marker = 8;
        await control.PublishAudioAsync(Long, Filled(AudioFormat.Slin8.BytesFor(TimeSpan.FromSeconds(5)), 0x37));
        Assert.Equal(PlayoutEvent.Started, (await NextReportAsync(record, r => r.UtteranceId == Long)).Event);
        await control.PublishFlushAsync(Long);
        var flushed = await NextReportAsync(record, r => r.UtteranceId == Long);
        await control.PublishAudioAsync(Marker, Filled(640, 0x38));

        var frames = await asterisk.ReadAudioUntilAsync(f => f.Any(x => IsFilled(x, 0x38)));

        Assert.Equal(PlayoutEvent.Flushed, flushed.Event);
        var played = frames.Count(f => IsFilled(f, 0x37));
        Assert.True(played < 250, $"{played} frames of a 250-frame utterance played after the flush");
        Assert.Equal(played * 20, flushed.PlayedMilliseconds);
    }

    [Fact]
    public async Task A_platform_call_ending_drains_the_queue_then_hangs_up()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture);
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        var control = FakeCallGrain.Control(fixture.Cluster.Client, callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        await asterisk.SendUuidAsync(callId);
        await record.Started.Task.WaitAsync(s_timeout);

        await control.PublishAudioAsync(9, Filled(10 * 320, 0x39));
        await control.PublishEndingAsync(CallEndReason.AgentHangup, drain: true);

        var frames = await asterisk.ReadUntilClosedAsync(expectHangup: true);
        Assert.Equal(10, frames.Count(f => IsFilled(f, FakeCallGrain.GreetingByte)));
        Assert.Equal(10, frames.Count(f => IsFilled(f, 0x39)));
    }

    public static TheoryData<string> MalformedInputs =>
        ["audio-before-uuid", "short-uuid", "odd-audio", "empty-audio", "empty-wideband-audio", "unknown-kind", "oversized", "second-uuid", "error-frame", "error-frame-without-code", "truncated"];

    [Theory]
    [MemberData(nameof(MalformedInputs))]
    public async Task Malformed_input_gets_a_hangup_frame_and_close_and_leaves_another_call_intact(string input)
    {
        // The default limit is the protocol's own (65,535): "oversized" is judged against a configured lower one.
        await using var gateway = await GatewayHost.StartAsync(fixture, new Dictionary<string, string?> { ["audiosocket:max_frame_bytes"] = "16384" });
        var goodId = Guid.NewGuid();
        var good = fixture.Calls.For(goodId);
        await using var goodCall = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        await goodCall.SendUuidAsync(goodId);
        await good.Started.Task.WaitAsync(s_timeout);

        var badId = Guid.NewGuid();
        await using var badCall = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        var afterUuid = input is not ("audio-before-uuid" or "short-uuid");
        if (afterUuid)
        {
            await badCall.SendUuidAsync(badId);
        }

        await badCall.SendRawAsync(input switch
        {
            "audio-before-uuid" => [0x10, 0x01, 0x40, .. new byte[320]],
            "short-uuid" => [0x01, 0x00, 0x0F, .. new byte[15]],
            "odd-audio" => [0x10, 0x00, 0x03, 1, 2, 3],
            "empty-audio" => [0x10, 0x00, 0x00],
            "empty-wideband-audio" => [0x12, 0x00, 0x00],
            "unknown-kind" => [0x02, 0x00, 0x00],
            "oversized" => [0x10, 0x40, 0x02],
            "second-uuid" => [0x01, 0x00, 0x10, .. Guid.NewGuid().ToByteArray(bigEndian: true)],
            "error-frame" => [0xFF, 0x00, 0x01, 0x04],
            "error-frame-without-code" => [0xFF, 0x00, 0x00],
            "truncated" => [0x10, 0x01, 0x40, .. new byte[100]],
            _ => throw new ArgumentOutOfRangeException(nameof(input)),
        });
        if (input == "truncated")
        {
            badCall.ShutdownSend();
        }

        // Agent audio (the fake's greeting) may reach the socket before the bad frame is read: a 0x12 call is answered in slin16.
        await badCall.ReadUntilClosedAsync(expectHangup: true, expectedAudioBytes: input == "empty-wideband-audio" ? 640 : 320);
        if (afterUuid)
        {
            Assert.Equal(CallEndReason.ProtocolError, await fixture.Calls.For(badId).HungUp.Task.WaitAsync(s_timeout));
        }

        // The other call carries on.
        await goodCall.SendAudioAsync(Filled(320, CallerByte));
        await goodCall.ReadAudioUntilAsync(f => f.Any(x => IsFilled(x, CallerByte)));
        Assert.False(good.HungUp.Task.IsCompleted);
    }

    [Fact]
    public async Task With_unknown_kind_ignore_an_unknown_frame_is_skipped_and_the_call_continues()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture, new Dictionary<string, string?> { ["audiosocket:unknown_kind"] = "ignore" });
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        await asterisk.SendUuidAsync(callId);
        await asterisk.SendAudioAsync(new byte[320]);

        await asterisk.SendRawAsync([0x02, 0x00, 0x04, 1, 2, 3, 4]);
        await asterisk.SendRawAsync([0x42, 0x00, 0x00]);
        await asterisk.SendAudioAsync(Filled(320, CallerByte));

        await asterisk.ReadAudioUntilAsync(f => f.Any(x => IsFilled(x, CallerByte)));
        Assert.False(record.HungUp.Task.IsCompleted);
        await WaitForAsync(() => record.AudioSequences.Count >= 2);
        Assert.Equal(2, record.AudioSequences.Count);
    }

    [Fact]
    public async Task A_connection_without_a_uuid_is_hung_up_after_the_timeout()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture, new Dictionary<string, string?> { ["audiosocket:uuid_timeout_ms"] = "300" });
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);

        var frames = await asterisk.ReadUntilClosedAsync(expectHangup: true);

        Assert.Empty(frames);
    }

    [Fact]
    public async Task A_silent_caller_gets_keepalive_silence_and_is_hung_up_when_idle()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture, new Dictionary<string, string?>
        {
            ["audiosocket:idle_timeout_seconds"] = "3",
            ["audiosocket:idle_grace_seconds"] = "0",
            ["audiosocket:keepalive_ms"] = "200",
        });
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        await asterisk.SendUuidAsync(callId);
        await asterisk.SendAudioAsync(new byte[320]); // silence: does not count as the caller speaking

        var frames = await asterisk.ReadUntilClosedAsync(expectHangup: true);

        Assert.Equal(10, frames.Count(f => IsFilled(f, FakeCallGrain.GreetingByte)));
        var lastGreeting = frames.FindLastIndex(f => IsFilled(f, FakeCallGrain.GreetingByte));
        Assert.Contains(frames.Skip(lastGreeting + 1), f => IsFilled(f, 0));
        Assert.Equal(CallEndReason.IdleTimeout, await record.HungUp.Task.WaitAsync(s_timeout));
    }

    [Fact]
    public async Task Agent_audio_is_paced_in_real_time_not_burst_and_counted()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture);
        using var metrics = new MetricRecorder(gateway.Services);
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        var control = FakeCallGrain.Control(fixture.Cluster.Client, callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        await asterisk.SendUuidAsync(callId);
        await asterisk.SendAudioAsync(new byte[320]);
        await record.Started.Task.WaitAsync(s_timeout);
        await asterisk.ReadAudioUntilAsync(f => f.Count(x => IsFilled(x, FakeCallGrain.GreetingByte)) == 10);

        // 3 s of audio published at once, as a provider bursts faster than real time.
        // The clock starts before the publish: a late test thread can only make it read longer, never shorter.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await control.PublishAudioAsync(5, Filled(AudioFormat.Slin8.BytesFor(TimeSpan.FromSeconds(3)), 0x35));
        await asterisk.ReadAudioUntilAsync(f => f.Count(x => IsFilled(x, 0x35)) == 150);

        // 150 frames at 20 ms each, less the 40 ms start-up lead: a burst would take a few milliseconds.
        Assert.True(clock.Elapsed > TimeSpan.FromSeconds(2.8), $"150 frames arrived within {clock.Elapsed.TotalMilliseconds:F0} ms");
        Assert.Equal(1, metrics.Sum("ai_agent_gateway_frames_in"));
        Assert.True(metrics.Sum("ai_agent_gateway_frames_out") >= 160);
        Assert.Contains("fake", metrics.Tags("ai_agent_platform_added_latency", "provider"));
        Assert.Equal(1, metrics.Sum("ai_agent_gateway_connections_active"));
    }

    [Fact]
    public async Task A_peer_that_stops_reading_is_skipped_without_holding_up_other_calls()
    {
        // slin192 frames (7680 bytes per 20 ms) and a small server send buffer (accepted sockets inherit it from
        // the listener; without it Linux autotunes it to megabytes) fill a stalled connection within a second.
        await using var gateway = await GatewayHost.StartAsync(
            fixture,
            new Dictionary<string, string?> { ["audiosocket:format"] = "slin192" },
            configure: b => b.WebHost.UseSockets(o => o.CreateBoundListenSocket = endPoint =>
            {
                var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endPoint);
                socket.SendBufferSize = 8192;
                return socket;
            }));
        using var metrics = new MetricRecorder(gateway.Services);
        var format = new AudioFormat(AudioEncoding.Pcm16, 192_000);
        var frameBytes = format.BytesFor(TimeSpan.FromMilliseconds(20));
        var stalledId = Guid.NewGuid();
        var healthyId = Guid.NewGuid();
        await using var stalled = await FakeAsterisk.ConnectAsync(gateway.EndPoint, receiveBufferSize: 4096);
        await using var healthy = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        await stalled.SendUuidAsync(stalledId);
        await healthy.SendUuidAsync(healthyId);
        await fixture.Calls.For(stalledId).Started.Task.WaitAsync(s_timeout);
        await fixture.Calls.For(healthyId).Started.Task.WaitAsync(s_timeout);

        var stalledControl = FakeCallGrain.Control(fixture.Cluster.Client, stalledId);
        for (var second = 0; second < 5; second++)
        {
            await stalledControl.PublishAudioAsync(3, Filled(format.BytesFor(TimeSpan.FromSeconds(1)), 0x33));
        }

        // The stalled call's flush is pending: its frames are held back (and counted), never awaited by the pacer.
        await metrics.WaitForAsync("ai_agent_gateway_frames_late", "reason", "backpressure").WaitAsync(s_timeout);

        await FakeCallGrain.Control(fixture.Cluster.Client, healthyId).PublishAudioAsync(4, Filled(format.BytesFor(TimeSpan.FromSeconds(2)), 0x34));
        var frames = await healthy.ReadAudioUntilAsync(f => f.Count(x => IsFilled(x, 0x34)) == 100, frameBytes, AudioSocketKind.Slin192);

        Assert.Equal(10, frames.Count(f => IsFilled(f, FakeCallGrain.GreetingByte)));
        Assert.False(fixture.Calls.For(healthyId).HungUp.Task.IsCompleted);
    }

    private static async Task<PlayoutReport> NextReportAsync(FakeCallRecord record, Func<PlayoutReport, bool> match)
    {
        using var cts = new CancellationTokenSource(s_timeout);
        while (true)
        {
            var report = await record.Reports.Reader.ReadAsync(cts.Token);
            if (match(report))
            {
                return report;
            }
        }
    }

    /// <summary>Waits for a condition that one-way calls (which may arrive out of order) make true eventually.</summary>
    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        while (!condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    private static bool IsFilled(byte[] frame, byte value) => frame.AsSpan().IndexOfAnyExcept(value) < 0;
}
