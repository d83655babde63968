using AiAgent.Grains.Providers.OpenAIRealtime;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary>The send queue's overflow rule: caller audio is bounded and loses its oldest chunk; control events are never dropped.</summary>
public sealed class OutgoingQueueTests
{
    [Fact]
    public void A_full_queue_drops_the_oldest_caller_audio_and_keeps_every_control_event_in_order()
    {
        var queue = new OutgoingQueue(audioCapacity: 4);
        queue.TryWrite(Control(1));
        for (var i = 0; i < 6; i++)
        {
            Assert.True(queue.TryWriteAudio(Audio(i), out var dropped));
            Assert.Equal(i >= 4, dropped);
            if (i == 2)
            {
                queue.TryWrite(Control(2));
            }
        }

        queue.TryWrite(Control(3));

        // Audio 0 and 1 went (the oldest); the control events stay where they were queued.
        Assert.Equal(2, queue.DroppedAudio);
        Assert.Equal(["c1", "a2", "c2", "a3", "a4", "a5", "c3"], ReadAll(queue));
    }

    [Fact]
    public void Control_events_are_not_bounded()
    {
        var queue = new OutgoingQueue(audioCapacity: 2);
        for (var i = 0; i < 10; i++)
        {
            Assert.True(queue.TryWrite(Control(i)));
        }

        Assert.True(queue.TryWriteAudio(Audio(0), out var dropped));
        Assert.False(dropped);
        Assert.Equal(0, queue.DroppedAudio);
        Assert.Equal(11, ReadAll(queue).Count);
    }

    [Fact]
    public async Task A_reader_wakes_for_a_write_and_ends_after_complete_once_drained()
    {
        var queue = new OutgoingQueue(OutgoingQueue.DefaultAudioCapacity);
        var waiting = queue.WaitToReadAsync(CancellationToken.None).AsTask();
        Assert.False(waiting.IsCompleted);

        queue.TryWrite(Control(1));
        Assert.True(await waiting.WaitAsync(Waits.Long));

        queue.Complete();
        Assert.False(queue.TryWrite(Control(2)));
        Assert.False(queue.TryWriteAudio(Audio(1), out _));
        Assert.True(await queue.WaitToReadAsync(CancellationToken.None)); // what was queued is still read
        Assert.Equal(["c1"], ReadAll(queue));
        Assert.False(await queue.WaitToReadAsync(CancellationToken.None));
    }

    [Fact]
    public void The_default_bound_is_512_chunks_as_for_deepgram()
    {
        var queue = new OutgoingQueue(OutgoingQueue.DefaultAudioCapacity);
        for (var i = 0; i < 512; i++)
        {
            queue.TryWriteAudio(Audio(i), out var dropped);
            Assert.False(dropped);
        }

        queue.TryWriteAudio(Audio(512), out var overflow);
        Assert.True(overflow);
        Assert.Equal(1, queue.DroppedAudio);
        Assert.Equal("a1", ReadAll(queue)[0]);
    }

    private static Outgoing Control(int n) => new(OutgoingKind.Json, [(byte)n], 1, 0);

    private static Outgoing Audio(int n) => new(OutgoingKind.Audio, System.Buffers.ArrayPool<byte>.Shared.Rent(4), 4, n);

    // The audio's Epoch carries its number here, so the order can be read back.
    private static List<string> ReadAll(OutgoingQueue queue)
    {
        var read = new List<string>();
        while (queue.TryRead(out var m))
        {
            read.Add(m.Kind == OutgoingKind.Json ? "c" + m.Buffer[0] : "a" + m.Epoch);
        }

        return read;
    }
}
