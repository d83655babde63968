using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Tests.Parts;

public sealed class FarewellEndTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly PlayoutTracker _tracker = new();

    [Fact]
    public void Nothing_playing_waits_for_the_farewell_then_gives_up_after_the_farewell_wait()
    {
        var farewell = new FarewellEnd(CallDisposition.Hangup, _tracker, T0);

        Assert.Equal(FarewellVerdict.Wait, farewell.Check(T0 + FarewellEnd.FarewellWait - TimeSpan.FromMilliseconds(1)));
        Assert.Equal(FarewellVerdict.NoFarewell, farewell.Check(T0 + FarewellEnd.FarewellWait));
    }

    [Fact]
    public void A_farewell_that_started_late_is_waited_for_until_its_playout_ends()
    {
        var farewell = new FarewellEnd(CallDisposition.Hangup, _tracker, T0);
        _tracker.OnAgentAudio(5, T0.AddSeconds(3), out _);
        farewell.OnAgentAudio();

        Assert.Equal(FarewellVerdict.Wait, farewell.Check(T0.AddSeconds(10))); // past the farewell wait: it has started
        _tracker.OnPlayoutReport(new PlayoutReport(5, PlayoutEvent.Completed, 4000, T0.AddSeconds(11), TimeSpan.Zero));
        Assert.Equal(FarewellVerdict.PlayedOut, farewell.Check(T0.AddSeconds(11)));
    }

    [Fact]
    public void Audio_playing_at_the_request_is_the_farewell()
    {
        _tracker.OnAgentAudio(2, T0, out _);
        var farewell = new FarewellEnd(CallDisposition.TransferTo("sales"), _tracker, T0.AddMilliseconds(100));

        Assert.Equal(FarewellVerdict.Wait, farewell.Check(T0.AddSeconds(1)));
        _tracker.OnPlayoutReport(new PlayoutReport(2, PlayoutEvent.Completed, 1500, T0.AddSeconds(1.5), TimeSpan.Zero));
        Assert.Equal(FarewellVerdict.PlayedOut, farewell.Check(T0.AddSeconds(1.5)));
        Assert.Equal("transfer:sales", farewell.Disposition.ToString());
    }

    [Fact]
    public void A_barged_in_farewell_counts_as_played_out()
    {
        _tracker.OnAgentAudio(2, T0, out _);
        var farewell = new FarewellEnd(CallDisposition.Hangup, _tracker, T0);

        _tracker.Interrupt(2);

        Assert.Equal(FarewellVerdict.PlayedOut, farewell.Check(T0.AddMilliseconds(300)));
    }

    [Fact]
    public void A_farewell_that_never_finishes_ends_at_the_deadline()
    {
        _tracker.OnAgentAudio(2, T0, out _);
        var farewell = new FarewellEnd(CallDisposition.Hangup, _tracker, T0);

        Assert.Equal(FarewellVerdict.Wait, farewell.Check(T0 + FarewellEnd.Deadline - TimeSpan.FromMilliseconds(1)));
        Assert.Equal(FarewellVerdict.Deadline, farewell.Check(T0 + FarewellEnd.Deadline));
    }
}
