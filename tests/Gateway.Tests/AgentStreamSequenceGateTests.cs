using AiAgent.Gateway.Playout;

namespace AiAgent.Gateway.Tests;

public sealed class AgentStreamSequenceGateTests
{
    private const string InOrder = nameof(SequenceVerdict.InOrder);
    private const string Gap = nameof(SequenceVerdict.Gap);
    private const string Duplicate = nameof(SequenceVerdict.Duplicate);

    public static TheoryData<long[], string[]> Cases => new()
    {
        { [0, 1, 2, 3], [InOrder, InOrder, InOrder, InOrder] },
        // The first event is taken whatever its number (a subscription may start mid-stream).
        { [7, 8], [InOrder, InOrder] },
        { [0, 1, 1, 2], [InOrder, InOrder, Duplicate, InOrder] },
        // A late event after a gap is not played: its audio would come out of order.
        { [0, 3, 1, 2, 4], [InOrder, Gap, Duplicate, Duplicate, InOrder] },
        { [0, 2, 3], [InOrder, Gap, InOrder] },
        { [5, 4], [InOrder, Duplicate] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Events_are_played_in_order_gaps_are_skipped_and_duplicates_dropped(long[] sequences, string[] expected)
    {
        var gate = new AgentStreamSequenceGate();

        Assert.Equal(expected, sequences.Select(s => gate.Admit(1, s).ToString()));
    }

    [Fact]
    public void Expected_is_one_after_the_last_admitted()
    {
        var gate = new AgentStreamSequenceGate();
        gate.Admit(1, 0);
        gate.Admit(1, 5);
        gate.Admit(1, 2);

        Assert.Equal(6, gate.Expected);
    }

    [Fact]
    public void A_newer_epoch_starts_again_and_an_older_one_is_stale()
    {
        var gate = new AgentStreamSequenceGate();

        Assert.Equal(SequenceVerdict.InOrder, gate.Admit(1, 1));
        Assert.Equal(SequenceVerdict.InOrder, gate.Admit(1, 2));
        Assert.Equal(SequenceVerdict.InOrder, gate.Admit(2, 1));
        Assert.Equal(SequenceVerdict.Stale, gate.Admit(1, 3));
        Assert.Equal(SequenceVerdict.InOrder, gate.Admit(2, 2));
        Assert.Equal(2, gate.Epoch);
    }

    [Fact]
    public void Following_an_epoch_makes_every_older_one_stale()
    {
        var gate = new AgentStreamSequenceGate();
        gate.Admit(1, 1);

        gate.Follow(3);

        Assert.Equal(SequenceVerdict.Stale, gate.Admit(2, 1));
        Assert.Equal(SequenceVerdict.InOrder, gate.Admit(3, 1));
    }
}
