using AiAgent.CallSim.Reporting;

namespace AiAgent.CallSim.Tests;

/// <summary>The conversation measurements on known timestamps (microsecond ticks, so every figure is exact).</summary>
public sealed class ConversationTimelineTests
{
    private const long Frequency = 1_000_000;
    private const long Origin = 1_000_000; // the connect; timestamps are positive, as Stopwatch's are

    [Fact]
    public void ReplyLatencyRunsFromTheEndOfSpeechToTheFirstAgentSpeechFrameNotToKeepaliveSilence()
    {
        var timeline = new ConversationTimeline(Frequency);
        timeline.CallerTurnStarted(At(0));
        timeline.AgentFrame(At(100), speech: true); // the tail of a greeting, heard while the caller speaks: owed nothing yet
        timeline.CallerTurnEnded(At(1_000));
        timeline.AgentFrame(At(1_200), speech: false); // keepalive silence from the gateway
        timeline.AgentFrame(At(1_400), speech: false);
        timeline.AgentFrame(At(1_600), speech: true);
        Assert.True(timeline.LatestTurnAnswered);
        Assert.Equal(At(1_600), timeline.LastAgentSpeechAt);

        var summary = timeline.Summarize(Origin, At(3_000), earlyEnd: null);

        var turn = Assert.Single(summary.Cycles);
        Assert.Equal(new CycleSummary(1, 0, 1_000, 600, GivenUp: false), turn);
        Assert.Equal(1, summary.Answered);
        Assert.Equal(0, summary.Unanswered);
        Assert.Equal(new AnswerWait(1_000, 1_600, Answered: true), Assert.Single(summary.Waits));
        Assert.Equal(600, summary.LongestWaitMs);
        Assert.Equal(new TimingStats(1, 600, 600, 600), summary.ReplyLatency);
        Assert.False(summary.Dropped);
        Assert.Null(summary.DropReason);
    }

    [Fact]
    public void AnUnansweredTurnKeepsTheWaitOpenUntilTheAgentSpeaksAgainAndDropsTheCall()
    {
        var timeline = new ConversationTimeline(Frequency);
        Turn(timeline, startMs: 0, endMs: 1_000, replyMs: 1_500);
        timeline.CallerTurnStarted(At(5_000));
        timeline.CallerTurnEnded(At(6_000));
        timeline.TurnGivenUp(); // nothing for the reply timeout: the caller speaks again
        timeline.CallerTurnStarted(At(12_000));
        timeline.CallerTurnEnded(At(13_000));
        timeline.AgentFrame(At(13_800), speech: true); // the platform is back: the answer to turn 3

        var summary = timeline.Summarize(Origin, At(20_000), earlyEnd: null);

        Assert.Equal([500, null, 800], summary.Cycles.Select(static c => c.ReplyMs));
        Assert.True(summary.Cycles[1].GivenUp);
        Assert.Equal(2, summary.Answered);
        Assert.Equal(1, summary.Unanswered);
        // The caller heard nothing from the end of turn 2 to the answer to turn 3.
        Assert.Equal([new AnswerWait(1_000, 1_500, true), new AnswerWait(6_000, 13_800, true)], summary.Waits);
        Assert.Equal(7_800, summary.LongestWaitMs);
        Assert.True(summary.Dropped);
        Assert.Equal("turn 2 unanswered within the reply timeout", summary.DropReason);
    }

    [Fact]
    public void AroundAnEventTheBaselineWaitsEndBeforeItAndTheSpanningWaitIsTheLongestStillOpenAtItOrLater()
    {
        var timeline = new ConversationTimeline(Frequency);
        Turn(timeline, startMs: 0, endMs: 1_000, replyMs: 1_600);     // wait 600, before the event
        Turn(timeline, startMs: 3_000, endMs: 4_000, replyMs: 4_700); // wait 700, before the event
        timeline.CallerTurnStarted(At(6_000));
        timeline.CallerTurnEnded(At(7_000));                         // owed from 7 s; the silo dies at 7.5 s
        timeline.TurnGivenUp();
        Turn(timeline, startMs: 13_000, endMs: 14_000, replyMs: 14_900); // the answer comes at 14.9 s: a 7.9 s wait
        Turn(timeline, startMs: 16_000, endMs: 17_000, replyMs: 17_600);

        var impact = timeline.Summarize(Origin, At(20_000), earlyEnd: null).Around(7_500);

        Assert.Equal(new EventImpact(LongestWaitBeforeMs: 700, LongestWaitSpanningMs: 7_900, TurnsAfter: 2, UnansweredAfter: 0), impact);
        var beforeAnything = timeline.Summarize(Origin, At(20_000), earlyEnd: null).Around(100);
        Assert.Null(beforeAnything.LongestWaitBeforeMs);
        Assert.Equal(7_900, beforeAnything.LongestWaitSpanningMs);
        Assert.Equal(1, beforeAnything.UnansweredAfter);
        Assert.Equal(new EventImpact(7_900, null, 0, 0), timeline.Summarize(Origin, At(20_000), earlyEnd: null).Around(19_000));
    }

    [Fact]
    public void AWaitStillOpenWhenTheCallEndsLastsToTheEndAndAnEarlyEndDropsTheCall()
    {
        var timeline = new ConversationTimeline(Frequency);
        Turn(timeline, startMs: 0, endMs: 1_000, replyMs: 1_400);
        timeline.CallerTurnStarted(At(4_000));
        timeline.CallerTurnEnded(At(5_000));

        var summary = timeline.Summarize(Origin, At(7_500), earlyEnd: "ServerClosed");

        Assert.Equal(new AnswerWait(5_000, 7_500, Answered: false), summary.Waits[^1]);
        Assert.Equal(2_500, summary.LongestWaitMs);
        Assert.Equal(1, summary.Unanswered);
        Assert.False(summary.Cycles[1].GivenUp);
        Assert.True(summary.Dropped);
        Assert.Equal("ended before its planned end: ServerClosed", summary.DropReason);
    }

    [Fact]
    public void ATurnCutShortByTheEndOfTheCallIsNeitherAnsweredNorUnanswered()
    {
        var timeline = new ConversationTimeline(Frequency);
        timeline.CallerTurnStarted(At(0));

        var summary = timeline.Summarize(Origin, At(500), earlyEnd: null);

        Assert.Equal(new CycleSummary(1, 0, null, null, false), Assert.Single(summary.Cycles));
        Assert.Equal(0, summary.Answered + summary.Unanswered);
        Assert.Empty(summary.Waits);
        Assert.Null(summary.LongestWaitMs);
        Assert.False(summary.Dropped);
    }

    [Fact]
    public void PlayoutGapsAreGapsInsideAGreetingOrReplyNeverAcrossACallerTurn()
    {
        var timeline = new ConversationTimeline(Frequency);
        Frames(timeline, fromMs: 100, count: 10, speech: true); // greeting 100..280 ms, 20 ms apart
        timeline.AgentFrame(At(350), speech: true);            // a 70 ms stall inside the greeting
        timeline.CallerTurnStarted(At(2_000));
        timeline.CallerTurnEnded(At(3_000));
        Frames(timeline, fromMs: 3_600, count: 5, speech: true); // the reply: 2.3 s after the greeting, a caller turn between
        timeline.AgentFrame(At(3_740), speech: false);           // a 60 ms gap: at the limit, not over it
        timeline.AgentFrame(At(3_800), speech: false);

        var summary = timeline.Summarize(Origin, At(5_000), earlyEnd: null);

        Assert.Equal(70, summary.MaxPlayoutGapMs);
        Assert.Equal(350, summary.MaxPlayoutGapAtMs);
        Assert.Equal(1, summary.PlayoutGapsOverLimit);
        Assert.Equal(new PlayoutGap(350, 70), Assert.Single(summary.GapsOverLimit));
        Assert.Equal(1, summary.Around(300).GapsOverLimitAfter);
        Assert.Equal(0, summary.Around(400).GapsOverLimitAfter);
        Assert.Equal(60, Assert.Single(summary.Cycles).MaxReplyGapMs); // the reply's own, not the greeting's stall
    }

    [Fact]
    public void EachReplyHasItsOwnLongestGapUntilTheNextTurn()
    {
        var timeline = new ConversationTimeline(Frequency);
        timeline.CallerTurnStarted(At(0));
        timeline.CallerTurnEnded(At(1_000));
        timeline.AgentFrame(At(1_100), speech: false);           // silence before the reply: not part of it
        Frames(timeline, fromMs: 1_400, count: 5, speech: true); // 1400..1480
        timeline.AgentFrame(At(1_600), speech: true);            // a 120 ms stall inside the reply
        timeline.CallerTurnStarted(At(3_000));
        timeline.CallerTurnEnded(At(4_000));
        timeline.AgentFrame(At(4_300), speech: true);            // a reply of one frame: no gap inside it

        var summary = timeline.Summarize(Origin, At(5_000), earlyEnd: null);

        Assert.Equal([120, null], summary.Cycles.Select(c => c.MaxReplyGapMs));
    }

    [Fact]
    public void NoFramesNoPlayoutGap()
    {
        var summary = new ConversationTimeline(Frequency).Summarize(Origin, At(1_000), earlyEnd: null);
        Assert.Null(summary.MaxPlayoutGapMs);
        Assert.Null(summary.MaxPlayoutGapAtMs);
        Assert.Equal(0, summary.PlayoutGapsOverLimit);
    }

    [Fact]
    public void ATurnMustStartBeforeItEnds()
    {
        var timeline = new ConversationTimeline(Frequency);
        Assert.Throws<InvalidOperationException>(() => timeline.CallerTurnEnded(At(10)));
    }

    [Fact]
    public void TheRunAggregatesTurnsWaitsGapsAndDrops()
    {
        var healthy = new ConversationTimeline(Frequency);
        Turn(healthy, startMs: 0, endMs: 1_000, replyMs: 1_600);
        Turn(healthy, startMs: 3_000, endMs: 4_000, replyMs: 4_590);
        Frames(healthy, fromMs: 4_590, count: 3, speech: true);
        var silent = new ConversationTimeline(Frequency);
        Turn(silent, startMs: 0, endMs: 1_000, replyMs: 1_620);
        silent.CallerTurnStarted(At(3_000));
        silent.CallerTurnEnded(At(4_000));
        silent.TurnGivenUp();

        var run = ConversationLoadSummary.From(
        [
            Call("a", healthy.Summarize(Origin, At(6_000), null)),
            Call("b", silent.Summarize(Origin, At(9_000), null)),
            Call("classic", null),
        ])!;

        Assert.Equal(2, run.Calls);
        Assert.Equal(1, run.Dropped);
        Assert.Equal(4, run.Turns);
        Assert.Equal(1, run.Unanswered);
        Assert.Equal(new TimingStats(3, 600, 620, 620), run.ReplyLatency);
        Assert.Equal(new TimingStats(2, 600, 5_000, 5_000), run.LongestWait);
        Assert.Equal(new TimingStats(1, 20, 20, 20), run.MaxPlayoutGap); // the silent call received one frame: no gap
        Assert.Equal(0, run.CallsWithPlayoutGapOverLimit);
        Assert.Equal("b: turn 2 unanswered within the reply timeout", Assert.Single(run.Drops));
        Assert.Null(ConversationLoadSummary.From([Call("classic", null)]));
    }

    private static long At(double ms) => Origin + (long)(ms * 1000);

    private static void Turn(ConversationTimeline timeline, double startMs, double endMs, double replyMs)
    {
        timeline.CallerTurnStarted(At(startMs));
        timeline.CallerTurnEnded(At(endMs));
        timeline.AgentFrame(At(replyMs), speech: true);
    }

    private static void Frames(ConversationTimeline timeline, double fromMs, int count, bool speech)
    {
        for (var i = 0; i < count; i++)
        {
            timeline.AgentFrame(At(fromMs + (20 * i)), speech);
        }
    }

    private static CallSummary Call(string id, ConversationSummary? conversation) => new()
    {
        CallId = id,
        Format = "slin",
        Outcome = CallOutcome.CallerHangup,
        Gaps = GapStatistics.Empty,
        Conversation = conversation,
    };
}
