using AiAgent.Gateway.Playout;

namespace AiAgent.Gateway.Tests;

public sealed class PlayoutQueueTests
{
    private const int Frame = 320;
    private static readonly DateTime s_at = new(2026, 11, 25, 8, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Frames_are_cut_exactly_across_chunk_boundaries()
    {
        var queue = new PlayoutQueue(Frame, 100 * Frame, 0);
        var audio = Enumerable.Range(0, 3 * Frame).Select(i => (byte)(i % 251)).ToArray();
        queue.Enqueue(1, audio.AsMemory(0, 500), s_at);
        queue.Enqueue(1, audio.AsMemory(500, 460), s_at.AddMilliseconds(5));

        var out1 = new byte[Frame];
        var out2 = new byte[Frame];
        var out3 = new byte[Frame];
        Assert.True(queue.TryCut(out1, out var first));
        Assert.True(queue.TryCut(out2, out var second));
        Assert.True(queue.TryCut(out3, out _));

        Assert.Equal(audio[..Frame], out1);
        Assert.Equal(audio[Frame..(2 * Frame)], out2);
        Assert.Equal(audio[(2 * Frame)..], out3);
        Assert.True(first.Started);
        Assert.Equal(s_at, first.ProviderReceivedAtUtc);
        Assert.False(second.Started);
        Assert.True(queue.IsEmpty);
    }

    [Fact]
    public void A_partial_frame_waits_until_the_utterance_is_done_then_is_padded()
    {
        var queue = new PlayoutQueue(Frame, 100 * Frame, 0xFF);
        queue.Enqueue(1, Filled(Frame + 100, 7), s_at);
        var frame = new byte[Frame];
        Assert.True(queue.TryCut(frame, out _));
        Assert.False(queue.TryCut(frame, out _));
        Assert.True(queue.IsMidUtterance);

        Assert.False(queue.MarkDone(1));
        Assert.True(queue.TryCut(frame, out var last));

        Assert.True(last.Completed);
        Assert.Equal(Frame + 100, last.PlayedBytes);
        Assert.All(frame[..100], b => Assert.Equal(7, b));
        Assert.All(frame[100..], b => Assert.Equal(0xFF, b));
        Assert.False(queue.IsMidUtterance);
    }

    [Fact]
    public void Done_after_the_last_frame_reports_completion_at_once()
    {
        var queue = new PlayoutQueue(Frame, 100 * Frame, 0);
        queue.Enqueue(3, Filled(2 * Frame, 1), s_at);
        var frame = new byte[Frame];
        Assert.True(queue.TryCut(frame, out _));
        Assert.True(queue.TryCut(frame, out var cut));
        Assert.False(cut.Completed);

        Assert.True(queue.MarkDone(3));
        Assert.False(queue.MarkDone(3));
    }

    [Fact]
    public void Flush_drops_everything_and_returns_what_was_played()
    {
        var queue = new PlayoutQueue(Frame, 100 * Frame, 0);
        queue.Enqueue(5, Filled(10 * Frame, 1), s_at);
        queue.Enqueue(6, Filled(10 * Frame, 2), s_at);
        var frame = new byte[Frame];
        Assert.True(queue.TryCut(frame, out _));
        Assert.True(queue.TryCut(frame, out _));

        Assert.Equal(2 * Frame, queue.Flush(5));
        Assert.True(queue.IsEmpty);
        Assert.False(queue.TryCut(frame, out _));
        Assert.Equal(0, queue.Flush(6));
    }

    [Fact]
    public void The_next_utterance_starts_on_a_frame_of_its_own()
    {
        var queue = new PlayoutQueue(Frame, 100 * Frame, 0);
        queue.Enqueue(1, Filled(100, 1), s_at);
        queue.Enqueue(2, Filled(Frame, 2), s_at);
        var frame = new byte[Frame];

        Assert.True(queue.TryCut(frame, out var tail));
        Assert.Equal(1, tail.UtteranceId);
        Assert.All(frame[100..], b => Assert.Equal(0, b));
        Assert.True(queue.TryCut(frame, out var next));
        Assert.Equal(2, next.UtteranceId);
        Assert.True(next.Started);
        Assert.All(frame, b => Assert.Equal(2, b));
    }

    [Fact]
    public void A_full_queue_drops_the_oldest_whole_frames()
    {
        var queue = new PlayoutQueue(Frame, 4 * Frame, 0);
        Assert.Equal(0, queue.Enqueue(1, Filled(3 * Frame, 1), s_at));
        Assert.Equal(2, queue.Enqueue(1, Filled(3 * Frame, 2), s_at));
        Assert.Equal(4 * Frame, queue.QueuedBytes);

        var frame = new byte[Frame];
        Assert.True(queue.TryCut(frame, out _));
        Assert.All(frame, b => Assert.Equal(1, b));
        Assert.True(queue.TryCut(frame, out _));
        Assert.All(frame, b => Assert.Equal(2, b));
    }

    [Fact]
    public void Finishing_all_pads_the_trailing_partial_frame_so_a_drain_can_end()
    {
        var queue = new PlayoutQueue(Frame, 100 * Frame, 0);
        queue.Enqueue(4, Filled(Frame + 2, 9), s_at);
        var frame = new byte[Frame];
        Assert.True(queue.TryCut(frame, out _));
        Assert.False(queue.TryCut(frame, out _));

        queue.FinishAll();

        Assert.True(queue.TryCut(frame, out var last));
        Assert.True(last.Completed);
        Assert.True(queue.IsEmpty);
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
