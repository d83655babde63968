using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using AiAgent.Gateway.AudioSocket;
using AiAgent.Gateway.Configuration;
using AiAgent.Gateway.Diagnostics;
using AiAgent.Gateway.Playout;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AiAgent.Gateway.Tests;

/// <summary>One call's playout driven tick by tick on in-memory pipes and a fake clock (no pacer thread).</summary>
public sealed class PlayoutCallTests : IDisposable
{
    private static readonly TimeSpan s_frame = TimeSpan.FromMilliseconds(20);
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _log = new();
    private readonly Pipe _socket = new();
    private readonly Pipe _inbound = new();

    public void Dispose() => _services.Dispose();

    private PlayoutCall NewCall(AudioFormat caller, AudioFormat playout, AudioSocketOptions? options = null) =>
        new(Guid.NewGuid(), caller, playout, _socket.Writer, _inbound.Reader,
            options ?? new AudioSocketOptions { FrameMs = 20, PlayoutLeadMs = 40 },
            _time, new GatewayMetrics(_services.GetRequiredService<IMeterFactory>()), _log);

    /// <summary>One pacer tick, on time, then the clock moves on a frame period.</summary>
    private void Tick(PlayoutCall call)
    {
        call.OnTick(_time.GetTimestamp());
        _time.Advance(s_frame);
    }

    [Fact]
    public async Task A_draining_end_waits_until_the_frames_written_ahead_have_played()
    {
        var call = NewCall(AudioFormat.Slin8, AudioFormat.Slin8);
        call.Enqueue(new AgentAudioChunk(0, 1, new byte[320 * 5], _time.GetUtcNow().UtcDateTime));
        call.MarkDone(1);
        call.RequestEnd(CallEndReason.AgentHangup, byPlatform: true, drain: true);

        var ticks = 0;
        while (!call.IsEndSignalled && ticks < 50)
        {
            Tick(call);
            ticks++;
        }

        // On arrival the call writes the 40 ms lead (2 frames), ticks 1-3 (at 0, 20, 40 ms) one each: the last
        // frame is written at 40 ms and plays until 100 ms, so the end (then the hangup frame) comes at tick 6.
        Assert.Equal(6, ticks);
        Assert.Equal(5, (await ReadFramesAsync()).Count);
        Assert.Equal(CallEndReason.AgentHangup, call.EndReason);
        Assert.True(call.EndedByPlatform);
    }

    [Fact]
    public async Task A_draining_end_asked_for_after_the_last_frame_does_not_wait_the_lead_again()
    {
        var call = NewCall(AudioFormat.Slin8, AudioFormat.Slin8);
        call.Enqueue(new AgentAudioChunk(0, 1, new byte[320 * 5], _time.GetUtcNow().UtcDateTime));
        call.MarkDone(1);
        for (var i = 0; i < 4; i++)
        {
            Tick(call); // ticks at 0-60 ms: the last frame goes out at 40 ms; the grain hears of it a tick later
        }

        call.RequestEnd(CallEndReason.AgentHangup, byPlatform: true, drain: true);
        var ticks = 0;
        while (!call.IsEndSignalled && ticks < 50)
        {
            Tick(call);
            ticks++;
        }

        // The lead plays out from 40 ms, as when the end was asked for first: the end comes at 100 ms (the sixth
        // tick), not the lead's length after the request.
        Assert.Equal(2, ticks);
        Assert.Equal(5, (await ReadFramesAsync()).Count);
    }

    [Fact]
    public async Task A_drain_ends_the_call_after_its_answer_has_played_not_during_it()
    {
        var call = NewCall(AudioFormat.Slin8, AudioFormat.Slin8);
        call.OnCallerAudio(Loud(320));
        Tick(call);
        call.Enqueue(new AgentAudioChunk(0, 1, new byte[320 * 10], _time.GetUtcNow().UtcDateTime));
        call.MarkDone(1);
        call.EndAtQuietMoment();

        var ticks = 0;
        while (!call.IsEndSignalled && ticks < 100)
        {
            Tick(call);
            ticks++;
        }

        // 10 frames (the lead on arrival, then one per tick: the last is written at tick 8) and 300 ms of agent silence.
        Assert.InRange(ticks, 8 + 15, 8 + 17);
        Assert.Equal(10, (await ReadFramesAsync()).Count);
        Assert.Equal(CallEndReason.Shutdown, call.EndReason);
        Assert.True(call.EndedAtQuietMoment);
        Assert.False(call.EndedByPlatform);
    }

    [Fact]
    public void A_drain_waits_while_the_caller_speaks_and_while_an_answer_is_owed()
    {
        var call = NewCall(AudioFormat.Slin8, AudioFormat.Slin8);
        call.EndAtQuietMoment();
        for (var i = 0; i < 200; i++)
        {
            // Four seconds of caller speech: never quiet while it lasts.
            call.OnCallerAudio(Loud(320));
            Tick(call);
        }

        Assert.False(call.IsEndSignalled);
        var ticks = 0;
        while (!call.IsEndSignalled && ticks < 500)
        {
            Tick(call);
            ticks++;
        }

        // No answer came: the call ends once the caller has been silent for the unanswered wait (3 s, 150 ticks).
        Assert.InRange(ticks, 149, 151);
        Assert.True(call.EndedAtQuietMoment);
    }

    [Fact]
    public void Without_a_drain_a_quiet_call_goes_on()
    {
        var call = NewCall(AudioFormat.Slin8, AudioFormat.Slin8);
        for (var i = 0; i < 500; i++)
        {
            Tick(call);
        }

        Assert.False(call.IsEndSignalled);
        Assert.False(call.EndedAtQuietMoment);
    }

    [Fact]
    public async Task Replies_are_labelled_with_the_playout_format_whatever_the_caller_sends()
    {
        var call = NewCall(AudioFormat.Slin16, AudioFormat.Slin16);
        call.OnCallerAudio(new byte[640]);
        call.Enqueue(new AgentAudioChunk(0, 1, new byte[640 * 2], _time.GetUtcNow().UtcDateTime));
        Tick(call);

        // A 640-byte frame labelled 0x10 would play at half speed: the label always matches the bytes.
        var frames = await ReadFramesAsync();
        Assert.Equal(2, frames.Count);
        Assert.All(frames, f => Assert.Equal((AudioSocketKind.Slin16, 640), f));
    }

    [Fact]
    public async Task Audio_arriving_in_silence_goes_out_at_once_with_the_lead_then_one_frame_per_tick()
    {
        var call = NewCall(AudioFormat.Slin8, AudioFormat.Slin8);

        // No tick yet: waiting for one would add half a frame period on average to every utterance's start.
        call.Enqueue(new AgentAudioChunk(0, 1, new byte[320 * 10], _time.GetUtcNow().UtcDateTime));
        Tick(call);

        Assert.Equal(3, (await ReadFramesAsync()).Count); // the 40 ms lead on arrival, then one at the tick
    }

    [Fact]
    public void Replies_must_be_slin()
    {
        Assert.Throws<ArgumentException>(() => NewCall(AudioFormat.Mulaw8, AudioFormat.Mulaw8));
    }

    [Fact]
    public async Task A_silent_line_gets_one_silence_frame_per_keepalive_interval()
    {
        var call = NewCall(AudioFormat.Slin8, AudioFormat.Slin8, new AudioSocketOptions { FrameMs = 20, KeepaliveMs = 100 });

        // 500 ms of nothing either way: a silence frame at 100, 200, 300, 400 and 500 ms.
        for (var i = 0; i <= 25; i++)
        {
            Tick(call);
        }

        var frames = await ReadFramesAsync();
        Assert.Equal(5, frames.Count);
        Assert.All(frames, f => Assert.Equal((AudioSocketKind.Slin8, 320), f));
    }

    [Fact]
    public void A_call_silent_past_timeout_and_grace_is_warned_once_then_ended_as_idle()
    {
        var call = NewCall(AudioFormat.Slin8, AudioFormat.Slin8, new AudioSocketOptions { FrameMs = 20, IdleTimeoutSeconds = 3, IdleGraceSeconds = 2, KeepaliveMs = 0 });

        _time.Advance(TimeSpan.FromSeconds(3));
        Tick(call);
        Assert.Equal(2205, Assert.Single(_log.Collector.GetSnapshot()).Id.Id);
        Assert.False(call.IsEndSignalled);

        _time.Advance(TimeSpan.FromSeconds(2));
        Tick(call);

        Assert.True(call.IsEndSignalled);
        Assert.Equal(CallEndReason.IdleTimeout, call.EndReason);
        Assert.Single(_log.Collector.GetSnapshot()); // warned once
    }

    [Fact]
    public async Task Playout_reports_start_completion_and_flush_with_what_was_played()
    {
        var call = NewCall(AudioFormat.Slin8, AudioFormat.Slin8);
        call.Enqueue(new AgentAudioChunk(0, 1, new byte[320 * 2], _time.GetUtcNow().UtcDateTime));
        call.MarkDone(1);
        call.Enqueue(new AgentAudioChunk(2, 2, new byte[320 * 10], _time.GetUtcNow().UtcDateTime));
        Tick(call);
        call.Flush(2);
        call.Close();

        var reports = new List<(int, PlayoutEvent, long)>();
        await foreach (var report in call.Reports.ReadAllAsync())
        {
            reports.Add((report.UtteranceId, report.Event, report.PlayedMilliseconds));
        }

        // Arrival writes both frames of utterance 1 (the lead), done once it has been played; the tick the first of 2.
        Assert.Equal([(1, PlayoutEvent.Started, 20), (1, PlayoutEvent.Completed, 40), (2, PlayoutEvent.Started, 20), (2, PlayoutEvent.Flushed, 20)], reports);
        Assert.Equal(2201, Assert.Single(_log.Collector.GetSnapshot()).Id.Id);
    }

    [Fact]
    public void A_peer_that_stopped_reading_ends_the_call_as_a_caller_hangup()
    {
        var call = NewCall(AudioFormat.Slin8, AudioFormat.Slin8);
        _socket.Reader.Complete();

        call.Enqueue(new AgentAudioChunk(0, 1, new byte[320 * 4], _time.GetUtcNow().UtcDateTime));

        Assert.True(call.IsEndSignalled);
        Assert.Equal(CallEndReason.CallerHangup, call.EndReason);
        Assert.False(call.EndedByPlatform);
    }

    [Fact]
    public void Steady_playout_allocates_nothing_per_tick()
    {
        var call = NewCall(AudioFormat.Slin8, AudioFormat.Slin8);
        call.Enqueue(new AgentAudioChunk(0, 1, new byte[320 * 500], _time.GetUtcNow().UtcDateTime));
        TickAndDrain(call, 50); // warm-up: JIT, the pipe's segments, the utterance's Started report

        var before = GC.GetAllocatedBytesForCurrentThread();
        TickAndDrain(call, 200);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>Ticks (the clock standing still) and reads what each tick wrote, as the peer would.</summary>
    private void TickAndDrain(PlayoutCall call, int ticks)
    {
        for (var i = 0; i < ticks; i++)
        {
            call.OnTick(_time.GetTimestamp());
            Assert.True(_socket.Reader.TryRead(out var read));
            _socket.Reader.AdvanceTo(read.Buffer.End);
        }
    }

    private async Task<List<(AudioSocketKind Kind, int Length)>> ReadFramesAsync()
    {
        await _socket.Writer.CompleteAsync();
        var frames = new List<(AudioSocketKind, int)>();
        var result = await _socket.Reader.ReadAsync();
        var buffer = result.Buffer;
        var reader = new AudioSocketFrameReader(65_535, passUnknownKinds: false);
        while (reader.TryRead(ref buffer, out var frame))
        {
            frames.Add((frame.Kind, frame.Length));
        }

        _socket.Reader.AdvanceTo(buffer.End);
        return frames;
    }

    /// <summary>A frame of slin at about -6 dBFS: speech to the energy detector.</summary>
    private static byte[] Loud(int bytes)
    {
        var frame = new byte[bytes];
        for (var i = 0; i + 1 < bytes; i += 2)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt16LittleEndian(frame.AsSpan(i), (short)(i % 4 == 0 ? 16_000 : -16_000));
        }

        return frame;
    }
}
