using System.IO.Pipelines;
using AiAgent.Gateway.Playout;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Gateway.Tests;

public sealed class CallEndSignalTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(2, 3)] // the default 40 ms lead of 20 ms frames: two frames ahead, then the tick after
    [InlineData(5, 6)]
    public void A_draining_end_is_due_once_the_lead_written_ahead_has_played(int leadFrames, int ticksAfterLastFrame)
    {
        var end = new CallEndSignal(new Pipe().Reader, leadFrames);

        Assert.False(end.DrainTick(queueEmpty: false, ticksSinceLastFrame: int.MaxValue));
        var ticks = 0;
        while (!end.DrainTick(queueEmpty: true, ticksSinceLastFrame: ticks))
        {
            ticks++;
        }

        Assert.Equal(ticksAfterLastFrame, ticks);
    }

    [Fact]
    public void A_drain_asked_for_after_the_lead_played_out_is_due_at_once()
    {
        var end = new CallEndSignal(new Pipe().Reader, leadFrames: 2);

        Assert.True(end.DrainTick(queueEmpty: true, ticksSinceLastFrame: 4));
        Assert.True(end.DrainTick(queueEmpty: true, ticksSinceLastFrame: int.MaxValue)); // no agent audio ever
        Assert.False(end.DrainTick(queueEmpty: true, ticksSinceLastFrame: 2));
    }

    [Fact]
    public void The_first_reason_wins()
    {
        var end = new CallEndSignal(new Pipe().Reader, 2);

        Assert.True(end.TrySetReason(CallEndReason.AgentHangup, byPlatform: true));
        Assert.False(end.TrySetReason(CallEndReason.IdleTimeout));

        Assert.Equal((CallEndReason.AgentHangup, true), (end.Reason, end.ByPlatform));
    }

    [Fact]
    public async Task Signal_cancels_the_pending_read_once_and_is_harmless_after_the_reader_completed()
    {
        var pipe = new Pipe();
        var end = new CallEndSignal(pipe.Reader, 2);
        var read = pipe.Reader.ReadAsync();

        end.Signal();

        Assert.True(end.IsSignalled);
        var result = await read;
        Assert.True(result.IsCanceled);
        pipe.Reader.AdvanceTo(result.Buffer.Start);
        await pipe.Reader.CompleteAsync();
        end.Signal();
    }
}
