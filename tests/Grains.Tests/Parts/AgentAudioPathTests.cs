using AiAgent.Grains.Audio;
using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Tests.Support;

namespace AiAgent.Grains.Tests.Parts;

public sealed class AgentAudioPathTests : IDisposable
{
    private readonly CallPartsHarness _h = new();
    private readonly RecordingOutput _stream = new();
    private readonly PlayoutTracker _playout = new();
    private readonly AgentOutputPublisher _publisher;

    public AgentAudioPathTests() => _publisher = new AgentOutputPublisher(_stream, 1, _h.Call);

    public void Dispose() => _h.Dispose();

    private AgentAudioPath Path(AudioFormat providerOutput, AudioFormat playout) =>
        new(AudioConverter.Create(providerOutput, playout), new AudioFramer(playout, TimeSpan.FromMilliseconds(20)), _playout, _publisher, _h.Call);

    private async Task<IReadOnlyList<AgentStreamEvent>> PublishedAsync()
    {
        _publisher.Complete();
        await _publisher.DrainAsync(Waits.Long);
        return _stream.Events;
    }

    [Fact]
    public async Task Chunks_become_whole_frames_and_the_utterance_ends_padded_with_silence()
    {
        var path = Path(AudioFormat.Slin8, AudioFormat.Slin8);
        var received = _h.Now;

        path.Write(1, Tone(500), received); // one 320-byte frame out, 180 bytes wait
        path.Write(1, Tone(200), received); // 380: one more frame out, 60 wait
        path.Write(1, Tone(10), received);  // 70: under a frame, nothing to publish
        path.Finish(1);

        var events = await PublishedAsync();
        var chunks = events.OfType<AgentAudioChunk>().ToList();
        Assert.Equal([320, 320, 320], chunks.Select(c => c.Audio.Length));
        Assert.All(chunks, c => Assert.Equal(1, c.UtteranceId));
        Assert.Equal(received, chunks[0].ProviderReceivedAtUtc);
        Assert.IsType<AgentUtteranceDone>(events[^1]);
        var tail = chunks[^1].Audio.ToArray();
        Assert.All(tail[70..], b => Assert.Equal(0, b)); // the last frame is 70 bytes of audio and 250 of silence
        Assert.Equal(3, path.ChunksOut);
        Assert.Equal(960, path.BytesOut);
    }

    [Fact]
    public async Task Audio_is_converted_to_the_playout_format()
    {
        var path = Path(AudioFormat.Slin24, AudioFormat.Slin8);

        path.Write(1, Tone(4800), _h.Now); // 100 ms at 24 kHz
        path.Finish(1);

        var bytes = (await PublishedAsync()).OfType<AgentAudioChunk>().Sum(c => c.Audio.Length);
        Assert.Equal(0, bytes % 320);
        Assert.InRange(bytes, 1600, 1600 + 640); // ~100 ms at 8 kHz, plus the filter tail and padding
    }

    [Fact]
    public async Task A_flushed_utterance_publishes_nothing_more_and_the_next_one_starts_clean()
    {
        var path = Path(AudioFormat.Slin8, AudioFormat.Slin8);
        path.Write(1, Tone(480), _h.Now); // one frame out, half a frame buffered

        _playout.Interrupt(1);
        path.Flush(1);
        path.Write(1, Tone(3200), _h.Now);
        path.Finish(1);
        path.Write(2, Tone(320), _h.Now);

        var events = await PublishedAsync();
        Assert.Collection(events,
            e => Assert.Equal(1, Assert.IsType<AgentAudioChunk>(e).UtteranceId),
            e => Assert.Equal(1, Assert.IsType<FlushPlayout>(e).UtteranceId),
            e => Assert.Equal(320, Assert.IsType<AgentAudioChunk>(e).Audio.Length)); // no left-over half frame
        Assert.Equal(2, ((AgentAudioChunk)events[2]).UtteranceId);
    }

    [Fact]
    public async Task Each_chunk_is_counted_in_the_metrics()
    {
        using var chunks = _h.Collect<long>("ai_agent_agent_chunks");
        using var bytes = _h.Collect<long>("ai_agent_agent_audio");
        var path = Path(AudioFormat.Slin8, AudioFormat.Slin8);

        path.Write(1, Tone(640), _h.Now);
        await PublishedAsync();

        Assert.Equal(1, chunks.LastMeasurement?.Value);
        Assert.Equal(CallPartsHarness.Provider, chunks.LastMeasurement?.Tags["provider"]);
        Assert.Equal(640, bytes.LastMeasurement?.Value);
    }

    private static byte[] Tone(int bytes)
    {
        var audio = new byte[bytes];
        for (var i = 0; i + 1 < bytes; i += 2)
        {
            BitConverter.TryWriteBytes(audio.AsSpan(i), (short)(8000 * Math.Sin(i / 2 * 2 * Math.PI * 440 / 8000)));
        }

        return audio;
    }
}
