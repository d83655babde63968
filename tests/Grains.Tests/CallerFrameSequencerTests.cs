using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Tests;

public sealed class CallerFrameSequencerTests
{
    private static List<long> Push(CallerFrameSequencer sequencer, params long[] sequences) => PushAt(sequencer, TimeSpan.Zero, sequences);

    private static List<long> PushAt(CallerFrameSequencer sequencer, TimeSpan now, params long[] sequences)
    {
        var ready = new List<CallerAudio>();
        foreach (var s in sequences)
        {
            sequencer.Push(new CallerAudio(s, new byte[] { (byte)s }), now, ready);
        }

        return ready.Select(f => f.Sequence).ToList();
    }

    [Fact]
    public void In_order_frames_are_delivered_at_once()
    {
        var sequencer = new CallerFrameSequencer();
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), Push(sequencer, [.. Enumerable.Range(0, 100).Select(i => (long)i)]));
        Assert.Equal(0, sequencer.Lost + sequencer.OutOfOrder + sequencer.Duplicates);
    }

    [Fact]
    public void A_burst_dispatched_newest_first_is_delivered_in_order()
    {
        // What Orleans 10.4.2 did here when frames queued at a busy activation: 0, then 59 down to 1.
        var sequencer = new CallerFrameSequencer();
        var order = new long[] { 0 }.Concat(Enumerable.Range(1, 59).Reverse().Select(i => (long)i)).ToArray();

        Assert.Equal(Enumerable.Range(0, 60).Select(i => (long)i), Push(sequencer, order));
        Assert.Equal(60, sequencer.Delivered);
        Assert.Equal(0, sequencer.Lost);
        Assert.Equal(58, sequencer.OutOfOrder);
    }

    [Fact]
    public void Duplicates_are_dropped_whether_held_or_delivered()
    {
        var sequencer = new CallerFrameSequencer();
        Assert.Equal([0, 1, 2, 3], Push(sequencer, 0, 1, 3, 3, 2, 3, 1));
        Assert.Equal(3, sequencer.Duplicates);
        Assert.Equal(0, sequencer.Lost);
    }

    [Fact]
    public void A_gap_is_declared_lost_after_the_hold_time_and_a_straggler_is_dropped()
    {
        var sequencer = new CallerFrameSequencer(TimeSpan.FromMilliseconds(100));
        Assert.Equal([0], PushAt(sequencer, TimeSpan.FromMilliseconds(0), 0, 2, 3));
        Assert.Empty(PushAt(sequencer, TimeSpan.FromMilliseconds(60), 4));
        Assert.Equal([2, 3, 4, 5], PushAt(sequencer, TimeSpan.FromMilliseconds(100), 5));
        Assert.Equal(1, sequencer.Lost);
        Assert.Empty(Push(sequencer, 1));
        Assert.Equal(5, sequencer.Delivered);
        Assert.Equal(0, sequencer.Duplicates);
        Assert.Equal(5, sequencer.OutOfOrder); // four held early, one straggler
    }

    [Fact]
    public void A_gap_is_declared_lost_when_too_many_frames_are_held()
    {
        var sequencer = new CallerFrameSequencer(TimeSpan.FromSeconds(10), maxHeld: 3);
        Assert.Equal([0], Push(sequencer, 0, 2, 3, 4));
        Assert.Equal([2, 3, 4, 5], Push(sequencer, 5));
        Assert.Equal(1, sequencer.Lost);
    }
}
