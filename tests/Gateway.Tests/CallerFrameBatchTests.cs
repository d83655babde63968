using AiAgent.Gateway.AudioSocket;

namespace AiAgent.Gateway.Tests;

public sealed class CallerFrameBatchTests
{
    private static byte[] Frame(byte value, int length = 2) => Enumerable.Repeat(value, length).ToArray();

    [Fact]
    public void Frames_are_held_until_the_batch_is_full_and_then_sent_as_one_message_in_order()
    {
        var batch = new CallerFrameBatch(framesPerMessage: 3, frameBytes: 2);

        Assert.True(batch.Add(Frame(1), 0, out var d1).IsEmpty);
        Assert.True(batch.Add(Frame(2), 1, out var d2).IsEmpty);
        var message = batch.Add(Frame(3), 2, out var d3);

        Assert.Equal([1, 1, 2, 2, 3, 3], message.ToArray());
        Assert.True(d1.IsEmpty && d2.IsEmpty && d3.IsEmpty);
        Assert.Equal(0, batch.HeldFrames);
    }

    [Fact]
    public void One_frame_per_message_returns_each_frame_as_a_copy()
    {
        var batch = new CallerFrameBatch(framesPerMessage: 1, frameBytes: 2);
        var frame = Frame(7);

        var message = batch.Add(frame, 0, out _);
        frame[0] = 99; // the read loop's buffer is reused

        Assert.Equal([7, 7], message.ToArray());
    }

    [Fact]
    public void A_frame_that_does_not_fit_beside_the_held_ones_sends_them_first()
    {
        var batch = new CallerFrameBatch(framesPerMessage: 2, frameBytes: 2);
        batch.Add(Frame(1), 0, out _);

        var message = batch.Add(Frame(2, length: 4), 1, out var displaced); // a longer frame: the packetization changed

        Assert.Equal([1, 1], displaced.ToArray());
        Assert.True(message.IsEmpty);
        Assert.Equal(1, batch.HeldFrames);
        Assert.Equal([2, 2, 2, 2], batch.Take().ToArray());
    }

    [Fact]
    public void A_frame_longer_than_a_whole_batch_is_held_whole_and_sent_alone()
    {
        var batch = new CallerFrameBatch(framesPerMessage: 2, frameBytes: 2);

        Assert.True(batch.Add(Frame(5, length: 6), 0, out _).IsEmpty);
        var message = batch.Add(Frame(6), 1, out var displaced);

        Assert.Equal(Frame(5, length: 6), displaced.ToArray());
        Assert.True(message.IsEmpty);
        Assert.Equal([6, 6], batch.Take().ToArray());
    }

    [Theory]
    [InlineData(10, 9, false)]
    [InlineData(10, 10, true)]
    [InlineData(10, 11, true)]
    public void Held_frames_are_taken_by_age_only_once_the_oldest_is_as_old_as_asked(long heldAt, long cutoff, bool taken)
    {
        var batch = new CallerFrameBatch(framesPerMessage: 2, frameBytes: 2);
        batch.Add(Frame(1), heldAt, out _);

        Assert.Equal(taken, !batch.TakeIfHeldSince(cutoff).IsEmpty);
        Assert.Equal(taken ? 0 : 1, batch.HeldFrames);
    }

    [Fact]
    public void Discard_forgets_the_held_frames_and_the_next_message_starts_clean()
    {
        var batch = new CallerFrameBatch(framesPerMessage: 2, frameBytes: 2);
        batch.Add(Frame(1), 0, out _);

        batch.Discard();

        Assert.True(batch.Take().IsEmpty);
        batch.Add(Frame(2), 1, out _);
        Assert.Equal([2, 2, 3, 3], batch.Add(Frame(3), 2, out _).ToArray());
    }
}
