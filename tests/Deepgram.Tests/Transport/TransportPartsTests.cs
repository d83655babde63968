using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers.Transport;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace AiAgent.Deepgram.Tests.Transport;

/// <summary>The transport's small parts on their own: the send queue, the playout estimate, DTMF validation.</summary>
public sealed class TransportPartsTests
{
    [Fact]
    public void Full_queue_drops_the_oldest_audio_and_counts_it()
    {
        var dropped = new List<int>();
        var outbox = new ProviderOutbox(dropped.Add);
        for (var i = 1; i <= ProviderOutbox.Capacity; i++)
        {
            Assert.True(outbox.EnqueueAudio(new byte[i]));
        }

        Assert.True(outbox.EnqueueAudio(new byte[1000]));

        Assert.Equal([1], dropped);
        Assert.Equal(1, outbox.DroppedAudioBytes);
        Assert.True(outbox.TryDequeue(out var first));
        Assert.Equal(2, first.Length);
        var lengths = new List<int>();
        while (outbox.TryDequeue(out var item))
        {
            lengths.Add(item.Length);
        }

        Assert.Equal(1000, lengths[^1]);
        Assert.Equal(ProviderOutbox.Capacity - 1, lengths.Count);
    }

    [Fact]
    public void Control_messages_are_never_dropped_and_keep_their_order()
    {
        var outbox = new ProviderOutbox();
        Assert.True(outbox.EnqueueControl(OutboundItem.ForControl("c0"u8.ToArray())));
        for (var i = 0; i < ProviderOutbox.Capacity - 1; i++)
        {
            outbox.EnqueueAudio(new byte[1]);
        }

        // Full: room is made by moving the control message ahead, then by dropping the oldest audio.
        outbox.EnqueueAudio(new byte[2]);
        outbox.EnqueueControl(OutboundItem.ForControl("c1"u8.ToArray()));
        for (var i = 0; i < 600; i++)
        {
            Assert.True(outbox.EnqueueControl(OutboundItem.ForControl(new[] { (byte)'x' })));
        }

        var kinds = new List<string>();
        while (outbox.TryDequeue(out var item))
        {
            kinds.Add(item.Kind == OutboundKind.Control ? System.Text.Encoding.ASCII.GetString(item.ControlPayload.Span) : "audio");
        }

        Assert.Equal("c0", kinds[0]);
        Assert.Equal(1, kinds.Count(k => k == "c1"));
        Assert.Equal(600, kinds.Count(k => k == "x"));
        Assert.True(kinds.IndexOf("c1") < kinds.IndexOf("x"));
        // Every audio item gave way to the controls: 511 of one byte and one of two.
        Assert.Equal(513, outbox.DroppedAudioBytes);
        Assert.DoesNotContain("audio", kinds);
    }

    [Fact]
    public async Task A_completed_queue_drains_then_reports_the_end()
    {
        var outbox = new ProviderOutbox();
        outbox.EnqueueAudio(new byte[3]);
        outbox.Complete();

        Assert.False(outbox.EnqueueAudio(new byte[3]));
        Assert.True(await outbox.WaitToReadAsync(CancellationToken.None));
        Assert.True(outbox.TryDequeue(out _));
        Assert.False(await outbox.WaitToReadAsync(CancellationToken.None));
    }

    [Fact]
    public void Playout_without_reports_is_estimated_in_real_time_from_arrival()
    {
        var time = new FakeTimeProvider();
        var playout = new AgentPlayout(time);
        playout.OnAudio(1, AudioFormat.Slin8, AudioFormat.Slin8.BytesFor(TimeSpan.FromSeconds(1)));
        time.Advance(TimeSpan.FromMilliseconds(500));
        playout.OnAudio(1, AudioFormat.Slin8, AudioFormat.Slin8.BytesFor(TimeSpan.FromSeconds(1)));

        time.Advance(TimeSpan.FromMilliseconds(1_400));
        Assert.True(playout.IsPlaying);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.False(playout.IsPlaying);
    }

    [Fact]
    public void Playout_reports_decide_when_an_utterance_ended()
    {
        var time = new FakeTimeProvider();
        var playout = new AgentPlayout(time);
        playout.OnAudio(1, AudioFormat.Slin8, AudioFormat.Slin8.BytesFor(TimeSpan.FromMilliseconds(200)));
        playout.OnReport(Report(1, PlayoutEvent.Started));

        // The gateway still plays it (jitter, a slow socket) although the estimate is over.
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(playout.IsPlaying);
        playout.OnReport(Report(1, PlayoutEvent.Completed));
        Assert.False(playout.IsPlaying);

        // Completed ends the estimate early too.
        playout.OnAudio(2, AudioFormat.Slin8, AudioFormat.Slin8.BytesFor(TimeSpan.FromSeconds(5)));
        playout.OnReport(Report(2, PlayoutEvent.Started));
        playout.OnReport(Report(2, PlayoutEvent.Flushed));
        Assert.False(playout.IsPlaying);

        playout.OnAudio(3, AudioFormat.Slin8, AudioFormat.Slin8.BytesFor(TimeSpan.FromSeconds(5)));
        playout.Interrupted();
        Assert.False(playout.IsPlaying);
    }

    private static PlayoutReport Report(int utterance, PlayoutEvent playoutEvent) =>
        new(utterance, playoutEvent, 0, DateTime.UtcNow, TimeSpan.Zero);
}
