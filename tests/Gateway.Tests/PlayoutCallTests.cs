using System.Buffers;
using System.Diagnostics;
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

namespace AiAgent.Gateway.Tests;

/// <summary>One call's playout driven tick by tick on in-memory pipes (no pacer thread, no clock).</summary>
public sealed class PlayoutCallTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly Pipe _socket = new();
    private readonly Pipe _inbound = new();

    public void Dispose() => _services.Dispose();

    private PlayoutCall NewCall(AudioFormat caller, AudioFormat playout, AudioSocketKind? inboundLabel) =>
        new(Guid.NewGuid(), caller, playout, inboundLabel, _socket.Writer, _inbound.Reader,
            new AudioSocketOptions { FrameMs = 20, PlayoutLeadMs = 40 },
            new GatewayMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger.Instance);

    [Fact]
    public async Task A_draining_end_waits_until_the_frames_written_ahead_have_played()
    {
        var call = NewCall(AudioFormat.Slin8, AudioFormat.Slin8, AudioSocketKind.Slin8);
        await call.OnNextAsync(new AgentAudioChunk(0, 1, new byte[320 * 5], DateTime.UtcNow));
        await call.OnNextAsync(new AgentUtteranceDone(1, 1));
        call.RequestEnd(CallEndReason.AgentHangup, byPlatform: true, drain: true);

        var ticks = 0;
        while (!call.IsEndSignalled && ticks < 50)
        {
            call.OnTick(Stopwatch.GetTimestamp());
            ticks++;
        }

        // Tick 1 writes the frame due plus the 40 ms lead (3 frames), ticks 2 and 3 one each: the last frame
        // is written at 40 ms and plays until 100 ms, so the end (then the hangup frame) comes at tick 6.
        Assert.Equal(6, ticks);
        Assert.Equal(5, (await ReadFramesAsync()).Count);
    }

    [Fact]
    public async Task Replies_keep_the_label_of_the_playout_format_when_the_inbound_label_changes()
    {
        var call = NewCall(AudioFormat.Slin16, AudioFormat.Slin16, AudioSocketKind.Slin16);
        call.OnCallerAudio(new byte[640], AudioSocketKind.Slin8);
        await call.OnNextAsync(new AgentAudioChunk(0, 1, new byte[640 * 2], DateTime.UtcNow));
        call.OnTick(Stopwatch.GetTimestamp());

        // A 640-byte frame labelled 0x10 would play at half speed: the label always matches the bytes.
        var frames = await ReadFramesAsync();
        Assert.Equal(2, frames.Count);
        Assert.All(frames, f => Assert.Equal((AudioSocketKind.Slin16, 640), f));
    }

    [Fact]
    public async Task Audio_arriving_in_silence_goes_out_at_once_with_the_lead_then_one_frame_per_tick()
    {
        var call = NewCall(AudioFormat.Slin8, AudioFormat.Slin8, AudioSocketKind.Slin8);

        // No tick yet: waiting for one would add half a frame period on average to every utterance's start.
        await call.OnNextAsync(new AgentAudioChunk(0, 1, new byte[320 * 10], DateTime.UtcNow));
        call.OnTick(Stopwatch.GetTimestamp());

        Assert.Equal(3, (await ReadFramesAsync()).Count); // the 40 ms lead on arrival, then one at the tick
    }

    [Fact]
    public void Replies_must_be_slin()
    {
        Assert.Throws<ArgumentException>(() => NewCall(AudioFormat.Mulaw8, AudioFormat.Mulaw8, AudioSocketKind.Slin8));
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
}
