using AiAgent.CallSim.Reporting;
using AiAgent.Failover.Calls;

namespace AiAgent.Failover.Tests;

/// <summary>A call that the reconnect loop carried over several AudioSocket sessions, seen as the one conversation the caller had.</summary>
public sealed class JoinedConversationTests
{
    private static readonly DateTimeOffset s_start = new(2026, 12, 3, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_turn_cut_off_with_its_session_is_owed_until_the_next_session_answers()
    {
        // Session 1: turn 1 answered after 800 ms; turn 2 ends at 5.0 s and its gateway dies at 5.4 s.
        var first = Session(s_start, durationMs: 5_400, CallOutcome.SocketError,
            [new CycleSummary(1, 500, 2_000, 800, false), new CycleSummary(2, 3_500, 5_000, null, false)],
            [new AnswerWait(2_000, 2_800, true), new AnswerWait(5_000, 5_400, false)]);
        // Session 2 connects 1.6 s later; the caller speaks again and is answered 900 ms after that speech.
        var second = Session(s_start.AddMilliseconds(7_000), durationMs: 4_000, CallOutcome.CallerHangup,
            [new CycleSummary(1, 500, 2_000, 900, false)],
            [new AnswerWait(2_000, 2_900, true)]);

        var joined = JoinedConversation.Join([first, second], dialplanEnd: null);

        Assert.Equal(1_600, Assert.Single(joined.ReconnectGapsMs), precision: 6);
        Assert.Equal(s_start, joined.Origin);
        var conversation = joined.Conversation;
        Assert.False(conversation.Dropped, conversation.DropReason);
        Assert.Equal([1, 2, 3], conversation.Cycles.Select(static c => c.Index));
        Assert.Equal(9_000, conversation.Cycles[2].SpeechEndMs);
        // The caller waited from the end of turn 2 (5.0 s) to the answer in session 2 (7.0 + 2.9 s).
        Assert.Equal([(2_000.0, 2_800.0, true), (5_000.0, 9_900.0, true)], conversation.Waits.Select(static w => (w.FromMs, w.ToMs, w.Answered)));
        var impact = conversation.Around(5_200);
        Assert.Equal(4_900, impact.LongestWaitSpanningMs);
        Assert.Equal(800, impact.LongestWaitBeforeMs);
        Assert.Equal((1, 0), (impact.TurnsAfter, impact.UnansweredAfter));
    }

    [Fact]
    public void Agent_speech_that_opens_the_next_session_answers_the_cut_off_turn()
    {
        // The platform plays the rest of the cut-off answer on the new gateway 300 ms after the reconnect.
        var first = Session(s_start, 5_400, CallOutcome.ServerClosed, [new CycleSummary(1, 500, 5_000, null, false)], [new AnswerWait(5_000, 5_400, false)]);
        var second = Session(s_start.AddMilliseconds(5_500), 6_000, CallOutcome.CallerHangup,
            [new CycleSummary(1, 2_500, 4_000, 600, false)], [new AnswerWait(4_000, 4_600, true)], firstSpeechMs: 300);

        var conversation = JoinedConversation.Join([first, second], dialplanEnd: null).Conversation;

        Assert.Equal([(5_000.0, 5_800.0, true), (9_500.0, 10_100.0, true)], conversation.Waits.Select(static w => (w.FromMs, w.ToMs, w.Answered)));
        Assert.False(conversation.Dropped);
    }

    [Fact]
    public void A_turn_given_up_in_any_session_drops_the_call()
    {
        var first = Session(s_start, 4_000, CallOutcome.ServerHangupFrame, [new CycleSummary(1, 500, 2_000, null, true)], [new AnswerWait(2_000, 4_000, false)]);
        var second = Session(s_start.AddMilliseconds(4_500), 3_000, CallOutcome.CallerHangup, [new CycleSummary(1, 500, 2_000, 700, false)], [new AnswerWait(2_000, 2_700, true)]);

        var conversation = JoinedConversation.Join([first, second], dialplanEnd: null).Conversation;

        Assert.True(conversation.Dropped);
        Assert.Equal("turn 1 unanswered within the reply timeout", conversation.DropReason);
    }

    [Theory]
    [InlineData(null, "the last session ended by ServerClosed")]
    [InlineData("HungUp at aiagent-inbound,103,failed: no usable disposition", "the dialplan ended the call: HungUp at aiagent-inbound,103,failed: no usable disposition")]
    public void A_call_that_the_caller_did_not_end_is_dropped(string? dialplanEnd, string reason)
    {
        var only = Session(s_start, 3_000, CallOutcome.ServerClosed, [new CycleSummary(1, 500, 2_000, 700, false)], [new AnswerWait(2_000, 2_700, true)]);

        var conversation = JoinedConversation.Join([only], dialplanEnd).Conversation;

        Assert.True(conversation.Dropped);
        Assert.Equal(reason, conversation.DropReason);
    }

    [Fact]
    public void Refused_connections_are_not_sessions_and_no_session_at_all_is_a_drop()
    {
        var refused = new CallSummary { CallId = "c", Format = "slin", Outcome = CallOutcome.ConnectFailed, Gaps = GapStatistics.FromGaps([]) };

        var joined = JoinedConversation.Join([refused], dialplanEnd: "HungUp at start: refused");

        Assert.True(joined.Conversation.Dropped);
        Assert.Empty(joined.ReconnectGapsMs);
    }

    private static CallSummary Session(
        DateTimeOffset connected, double durationMs, CallOutcome outcome, IReadOnlyList<CycleSummary> cycles, IReadOnlyList<AnswerWait> waits, double? firstSpeechMs = null) => new()
    {
        FirstSpeechMs = firstSpeechMs,
        CallId = "c",
        Format = "slin",
        Outcome = outcome,
        ConnectedAtUtc = connected,
        DurationMs = durationMs,
        Gaps = GapStatistics.FromGaps([]),
        Conversation = new ConversationSummary
        {
            Cycles = cycles,
            Waits = waits,
            Answered = cycles.Count(static c => c.ReplyMs is not null),
            ReplyLatency = TimingStats.FromValues([]),
        },
    };
}
