using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Tests;

/// <summary>Late frames over real TCP: a hole inside a reply counts, the pause between turns does not.</summary>
public sealed class LateFrameTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    /// <summary>Each answer is a burst of ten frames (gaps near 0 ms); the first has an 80 ms hole after its fifth frame.</summary>
    private static TimeSpan HoleInFirstAnswer(int answer, int frame) =>
        answer == 0 && frame == 4 ? TimeSpan.FromMilliseconds(80) : TimeSpan.Zero;

    [Fact]
    public async Task A_hole_inside_a_reply_is_one_late_frame_and_the_pause_between_turns_is_none()
    {
        await using var server = new FakeAudioSocketServer(onUuid: c => FakeAgent.AnswerTurnsAsync(c, int.MaxValue, HoleInFirstAnswer));
        var settings = Settings(server.Port) with
        {
            Conversation = new ConversationSettings
            {
                Cycles = 2,
                GreetingWait = TimeSpan.Zero,
                ReplyTimeout = TimeSpan.FromSeconds(2),
                ReplyQuiet = TimeSpan.FromMilliseconds(500),
                Pause = TimeSpan.FromSeconds(1), // with the reply quiet and the caller's speech: over 1.5 s between replies
            },
        };

        var run = await AsteriskSimulator.RunAsync([settings], TimeSpan.Zero).WaitAsync(s_wait);

        var call = run.Calls[0].Summary;
        Assert.True(call.Passed, Reporting.SummaryText.DescribeFailure(call));
        Assert.Equal(2, call.Conversation!.Answered);
        Assert.Equal(1, call.LateFrames);
        Assert.InRange(call.ReplyGaps.MaxMs!.Value, 60, 1_000); // 80 ms, less what the read before it was late
        Assert.True(call.Gaps.MaxMs >= 1_500, $"the pause between replies shows among all gaps: {call.Gaps.MaxMs} ms");
        Assert.Equal(18, call.ReplyGaps.Count); // nine gaps inside each ten-frame answer, none across a turn
        Assert.Equal(1, run.Load.LateFrames);
        Assert.Equal(1, run.Load.CallsWithLateFrames);
        Assert.Equal(call.ReplyGaps, run.Load.ReplyGaps);
    }

    [Fact]
    public async Task A_classic_call_counts_the_hole_in_its_one_reply()
    {
        await using var server = new FakeAudioSocketServer(onUuid: c => FakeAgent.AnswerTurnsAsync(c, 1, HoleInFirstAnswer));

        var result = await AsteriskSimulator.RunCallAsync(Settings(server.Port) with { Tail = TimeSpan.FromSeconds(1.5) }).WaitAsync(s_wait);

        Assert.Null(result.Summary.Conversation);
        Assert.Equal(1, result.Summary.LateFrames);
        Assert.Equal(9, result.Summary.ReplyGaps.Count);
    }

    private static CallSettings Settings(int port)
    {
        var format = CallFormat.Slin;
        return new CallSettings
        {
            Port = port,
            Audio = CallAudio.FromSamples(FakeAgent.Tone(format, 200), format),
            LeadingSilence = TimeSpan.FromMilliseconds(100),
        };
    }
}
