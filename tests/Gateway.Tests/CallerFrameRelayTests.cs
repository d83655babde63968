using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using AiAgent.Gateway.AudioSocket;
using AiAgent.Gateway.Configuration;
using AiAgent.Gateway.Diagnostics;
using AiAgent.Gateway.Playout;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AiAgent.Gateway.Tests;

/// <summary>The caller's frames of a started call, relayed from an in-memory pipe to a recording grain.</summary>
public sealed class CallerFrameRelayTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeLogger _log = new();
    private readonly Pipe _inbound = new();
    private readonly RecordingCallGrain _grain = new();
    private readonly FakeTimeProvider _time = new();
    private readonly PlayoutCall _call;

    public CallerFrameRelayTests()
    {
        _call = new PlayoutCall(Guid.NewGuid(), AudioFormat.Slin8, AudioFormat.Slin8, new Pipe().Writer, _inbound.Reader,
            new AudioSocketOptions(), new FakeTimeProvider(), Metrics, NullLogger.Instance);
    }

    private GatewayMetrics Metrics => new(_services.GetRequiredService<IMeterFactory>());

    public void Dispose() => _services.Dispose();

    private CallerFrameRelay NewRelay(AudioSocketKind? firstLabel = AudioSocketKind.Slin8, bool ignoreUnknownKinds = false) =>
        NewRelay(NewFeed(framesPerMessage: 1), firstLabel, ignoreUnknownKinds);

    private CallerFrameRelay NewRelay(CallerAudioFeed feed, AudioSocketKind? firstLabel = AudioSocketKind.Slin8, bool ignoreUnknownKinds = false) =>
        new(_inbound.Reader, new AudioSocketFrameReader(passUnknownKinds: ignoreUnknownKinds), _call, () => _grain, feed,
            new InboundLabelWatch(firstLabel), Metrics, _log);

    private CallerAudioFeed NewFeed(int framesPerMessage) =>
        new(_grain, 1, _call, TimeSpan.Zero, TimeSpan.FromMilliseconds(20), framesPerMessage, TimeSpan.Zero, _time, Metrics, _log);

    public static TheoryData<string, CallEndReason, bool, int> Endings => new()
    {
        // what the peer sends after two audio frames (hex, then EOF), the end, hangup frame sent, log event
        { "", CallEndReason.CallerHangup, false, 2007 },
        { "000000", CallEndReason.CallerHangup, false, 2008 },
        { "ff000101", CallEndReason.CallerHangup, true, 2009 },
        { "ff000104", CallEndReason.ProtocolError, true, 2009 },
        { "ff0000", CallEndReason.ProtocolError, true, 2010 },
        { "01001040325ec25efd4bd3805f53576e581d13", CallEndReason.ProtocolError, true, 2006 },
        { "100003010203", CallEndReason.ProtocolError, true, 2006 },
        { "020000", CallEndReason.ProtocolError, true, 2006 },
        { "100140aabb", CallEndReason.ProtocolError, true, 2006 }, // EOF inside a frame
    };

    [Theory]
    [MemberData(nameof(Endings))]
    public async Task How_the_peer_ends_the_call_decides_the_end(string hex, CallEndReason reason, bool sendHangup, int eventId)
    {
        await SendAsync("100002aabb", "100002ccdd", hex);
        await _inbound.Writer.CompleteAsync();

        var end = await NewRelay().RunAsync();

        Assert.Equal(new CallEnd(reason, sendHangup), end);
        Assert.Equal(eventId, _log.LatestRecord.Id.Id);
        Assert.Equal(reason, _call.EndReason);
        Assert.Equal([0L, 1L], _grain.AudioSequences);
    }

    [Fact]
    public async Task Dtmf_between_audio_frames_is_relayed_in_order_and_invalid_digits_are_dropped()
    {
        await SendAsync("100002aabb", "030001" + Hex('5'), "030001" + Hex('x'), "1000020102", "030001" + Hex('#'));
        await _inbound.Writer.CompleteAsync();

        await NewRelay().RunAsync();

        Assert.Equal(['5', '#'], _grain.Dtmf);
        Assert.Equal([0L, 1L], _grain.AudioSequences);
        var invalid = Assert.Single(_log.Collector.GetSnapshot(), r => r.Id.Id == 2012);
        Assert.Equal("120", invalid.GetStructuredStateValue("Byte"));
    }

    [Fact]
    public async Task With_unknown_kinds_ignored_they_are_skipped_and_logged_once()
    {
        await SendAsync("02000401020304", "420000", "100002aabb");
        await _inbound.Writer.CompleteAsync();

        var end = await NewRelay(ignoreUnknownKinds: true).RunAsync();

        Assert.Equal(CallEnd.ByCaller, end);
        Assert.Equal([0L], _grain.AudioSequences);
        Assert.Single(_log.Collector.GetSnapshot(), r => r.Id.Id == 2021);
    }

    [Fact]
    public async Task A_label_that_changes_after_the_start_is_reported_once()
    {
        await SendAsync("100002aabb", "120002aabb", "120002aabb");
        await _inbound.Writer.CompleteAsync();

        await NewRelay(firstLabel: AudioSocketKind.Slin8).RunAsync();

        var mismatch = Assert.Single(_log.Collector.GetSnapshot(), r => r.Id.Id == 2206);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, mismatch.Level);
        Assert.Equal("18", mismatch.GetStructuredStateValue("Kind"));
        Assert.Equal("16", mismatch.GetStructuredStateValue("FirstKind"));
    }

    [Fact]
    public async Task An_end_asked_for_elsewhere_stops_the_relay_and_is_answered_with_a_hangup_frame()
    {
        var relay = NewRelay().RunAsync();
        await SendAsync("100002aabb");

        _call.RequestEnd(CallEndReason.AgentHangup, byPlatform: true);

        Assert.Equal(new CallEnd(CallEndReason.AgentHangup, SendHangup: true), await relay);
    }

    [Fact]
    public async Task Two_frames_per_message_go_to_the_grain_as_one_and_a_digit_sends_a_held_frame_first()
    {
        var feed = NewFeed(framesPerMessage: 2);
        await SendAsync("100002aabb", "100002ccdd", "100002eeff", "030001" + Hex('5'), "1000020102");
        await _inbound.Writer.CompleteAsync();

        await NewRelay(feed).RunAsync();

        Assert.Equal(["0:aabbccdd", "1:eeff", "dtmf:5"], _grain.Events);
        feed.Flush(); // the call's end sends what is still held
        Assert.Equal(["0:aabbccdd", "1:eeff", "dtmf:5", "2:0102"], _grain.Events);
    }

    [Fact]
    public void A_frame_held_for_a_batch_goes_out_alone_on_the_first_tick_after_the_whole_batch_was_due()
    {
        var feed = NewFeed(framesPerMessage: 2);
        Assert.True(feed.NeedsTicks); // batching needs the pacer's tick even with the gap fill off

        feed.Push([0xaa, 0xbb]);
        _time.Advance(TimeSpan.FromMilliseconds(39));
        feed.OnTick(0);
        Assert.Empty(_grain.Events); // the second frame may still come

        _time.Advance(TimeSpan.FromMilliseconds(1));
        feed.OnTick(0);
        Assert.Equal(["0:aabb"], _grain.Events);

        feed.Push([0xcc, 0xdd]);
        feed.Push([0xee, 0xff]);
        Assert.Equal(["0:aabb", "1:ccddeeff"], _grain.Events);
    }

    [Fact]
    public void One_frame_per_message_sends_each_at_once_and_needs_no_tick_without_the_gap_fill()
    {
        var feed = NewFeed(framesPerMessage: 1);
        Assert.False(feed.NeedsTicks);

        feed.Push([0xaa, 0xbb]);

        Assert.Equal(["0:aabb"], _grain.Events);
    }

    private static string Hex(char digit) => ((byte)digit).ToString("x2");

    private async Task SendAsync(params string[] frames)
    {
        foreach (var frame in frames)
        {
            await _inbound.Writer.WriteAsync(Convert.FromHexString(frame));
        }
    }

    /// <summary>An <see cref="ICallGrain"/> that records what the relay sends it.</summary>
    private sealed class RecordingCallGrain : ICallGrain
    {
        private readonly ConcurrentQueue<long> _audio = new();
        private readonly ConcurrentQueue<char> _dtmf = new();
        private readonly ConcurrentQueue<string> _events = new();

        public IEnumerable<long> AudioSequences => _audio;

        public IEnumerable<char> Dtmf => _dtmf;

        /// <summary>Audio (<c>sequence:hex</c>) and digits (<c>dtmf:digit</c>) in the order they came.</summary>
        public IEnumerable<string> Events => _events;

        public Task PushCallerAudioAsync(CallerAudio audio)
        {
            _audio.Enqueue(audio.Sequence);
            _events.Enqueue($"{audio.Sequence}:{Convert.ToHexStringLower(audio.Audio.Span)}");
            return Task.CompletedTask;
        }

        public Task SendDtmfAsync(char digit)
        {
            _dtmf.Enqueue(digit);
            _events.Enqueue($"dtmf:{digit}");
            return Task.CompletedTask;
        }

        public Task<CallAttached> AttachAsync(CallAttachRequest request) => throw new NotSupportedException();

        public Task DetachAsync(int attachment) => throw new NotSupportedException();

        public Task<CallLiveness> PingAsync(int attachment) => Task.FromResult(CallLiveness.Live);

        public Task ReportPlayoutAsync(PlayoutReport report) => throw new NotSupportedException();

        public Task HangupAsync(CallEndReason reason, int attachment = 0) => throw new NotSupportedException();

        public Task<bool> EndAsync(CallDisposition disposition) => throw new NotSupportedException();

        public Task<CallSnapshot> GetSnapshotAsync() => throw new NotSupportedException();
    }
}
