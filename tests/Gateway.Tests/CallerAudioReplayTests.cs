using AiAgent.Gateway.AudioSocket;

namespace AiAgent.Gateway.Tests;

public sealed class CallerAudioReplayTests
{
    private static byte[] Frame(byte value, int length = 4) => Enumerable.Repeat(value, length).ToArray();

    private static byte[][] Held(CallerAudioReplay replay) => [.. replay.Frames().Select(static f => f.ToArray())];

    [Fact]
    public void Frames_come_back_oldest_first_and_the_oldest_go_when_the_limit_is_reached()
    {
        var replay = new CallerAudioReplay(maxBytes: 10);
        replay.Add(Frame(1));
        replay.Add(Frame(2));
        replay.Add(Frame(3)); // 12 bytes: frame 1 goes

        Assert.Equal([Frame(2), Frame(3)], Held(replay));
        Assert.Equal(8, replay.Bytes);
    }

    [Fact]
    public void A_frame_that_wraps_around_the_ring_comes_back_whole()
    {
        var replay = new CallerAudioReplay(maxBytes: 10);
        for (byte i = 1; i <= 7; i++)
        {
            replay.Add([i, (byte)(i + 100), (byte)(i + 200)]); // 3 bytes each: the ring wraps inside frames
        }

        Assert.Equal([[5, 105, 205], [6, 106, 206], [7, 107, 207]], Held(replay));
    }

    [Fact]
    public void Frames_of_different_lengths_are_kept_as_sent()
    {
        var replay = new CallerAudioReplay(maxBytes: 10);
        replay.Add(Frame(1, 6));
        replay.Add(Frame(2, 2));
        replay.Add(Frame(3, 5)); // frame 1 must go to make room, frame 2 stays

        Assert.Equal([Frame(2, 2), Frame(3, 5)], Held(replay));
    }

    [Fact]
    public void The_copies_handed_out_do_not_change_when_the_ring_is_reused_and_the_frames_stay_held()
    {
        var replay = new CallerAudioReplay(maxBytes: 8);
        var sent = Frame(1);
        replay.Add(sent);
        var first = replay.Frames();
        sent[0] = 99; // the caller's buffer is reused: the replay holds its own copy
        replay.Add(Frame(2));
        replay.Add(Frame(3));

        Assert.Equal(Frame(1), first[0].ToArray());
        Assert.Equal([Frame(2), Frame(3)], Held(replay));
    }

    [Fact]
    public void Clear_forgets_everything_and_a_frame_larger_than_the_limit_keeps_nothing()
    {
        var replay = new CallerAudioReplay(maxBytes: 8);
        replay.Add(Frame(1));
        replay.Clear();
        Assert.Empty(replay.Frames());

        replay.Add(Frame(2));
        replay.Add(Frame(3, 9));
        Assert.Empty(replay.Frames());
        Assert.Equal(0, replay.Bytes);

        var off = new CallerAudioReplay(maxBytes: 0); // failover_replay_ms: 0
        off.Add(Frame(4));
        Assert.Empty(off.Frames());
    }
}
