using AiAgent.Grains.Providers.Local;

namespace AiAgent.Grains.Tests;

public sealed class TurnRecordingTests
{
    private static byte[] Bytes(int from, int count) => [.. Enumerable.Range(from, count).Select(static i => (byte)i)];

    private static byte[][] Chunks(TurnRecording turn) => [.. turn.TakeChunks().Select(static c => c.ToArray())];

    [Fact]
    public void Audio_comes_back_in_chunks_of_the_echo_size_whatever_the_slices_it_came_in()
    {
        var turn = new TurnRecording(chunkBytes: 4, maxBytes: 100);
        turn.Append(Bytes(0, 3));
        turn.Append(Bytes(3, 6)); // crosses a chunk boundary
        turn.Append(Bytes(9, 1));

        Assert.Equal(10, turn.Length);
        Assert.Equal([Bytes(0, 4), Bytes(4, 4), Bytes(8, 2)], Chunks(turn));
    }

    [Fact]
    public void The_turn_stops_taking_audio_at_its_limit()
    {
        var turn = new TurnRecording(chunkBytes: 4, maxBytes: 6);
        turn.Append(Bytes(0, 5));
        Assert.False(turn.IsFull);

        turn.Append(Bytes(5, 5));

        Assert.True(turn.IsFull);
        Assert.Equal(6, turn.Length);
        Assert.Equal([Bytes(0, 4), Bytes(4, 2)], Chunks(turn));
    }

    [Fact]
    public void Taking_the_chunks_hands_them_over_and_the_next_turn_starts_in_new_arrays()
    {
        var turn = new TurnRecording(chunkBytes: 4, maxBytes: 100);
        turn.Append(Bytes(0, 4));
        var first = turn.TakeChunks();

        Assert.Equal(0, turn.Length);
        turn.Append(Bytes(50, 4));

        Assert.Equal(Bytes(0, 4), first[0].ToArray()); // the echo's chunk is not overwritten by the next turn
        Assert.Equal([Bytes(50, 4)], Chunks(turn));
    }

    [Fact]
    public void Clear_forgets_the_turn()
    {
        var turn = new TurnRecording(chunkBytes: 4, maxBytes: 100);
        turn.Append(Bytes(0, 6));

        turn.Clear();

        Assert.Equal(0, turn.Length);
        Assert.Empty(turn.TakeChunks());
    }
}
