using AiAgent.CallSim.Reporting;

namespace AiAgent.Failover.Calls;

/// <summary>
/// One call's conversation over the AudioSocket sessions a reconnect loop gave it, as one timeline from the first
/// session's connect: what the caller lived through, whichever gateway carried each part.
/// </summary>
/// <param name="Conversation">The turns, waits and playout gaps of every session, in call time.</param>
/// <param name="Origin">The first session's connect: time 0 of <paramref name="Conversation"/>.</param>
/// <param name="ReconnectGapsMs">For each session after the first: the previous one's end to its connect (the caller cut off).</param>
internal sealed record JoinedConversation(ConversationSummary Conversation, DateTimeOffset Origin, IReadOnlyList<double> ReconnectGapsMs)
{
    /// <summary>
    /// Joins the connected sessions' conversations. A turn still owed an answer when a session ended stays owed: its
    /// wait runs on through the reconnect to the first agent speech in the next session: the rest of that answer, or
    /// the answer to the caller speaking again there.
    /// Dropped: a turn unanswered within the reply timeout, or a call that ended other than by the caller hanging up.
    /// </summary>
    public static JoinedConversation Join(IReadOnlyList<CallSummary> sessions, string? dialplanEnd)
    {
        var connected = sessions.Where(static s => s.ConnectedAtUtc is not null && s.Conversation is not null).ToList();
        if (connected.Count == 0)
        {
            var none = new ConversationSummary
            {
                ReplyLatency = TimingStats.FromValues([]),
                Dropped = true,
                DropReason = dialplanEnd ?? "no AudioSocket session connected",
            };
            return new JoinedConversation(none, DateTimeOffset.UtcNow, []);
        }

        var origin = connected[0].ConnectedAtUtc!.Value;
        var cycles = new List<CycleSummary>();
        var waits = new List<AnswerWait>();
        var gaps = new List<PlayoutGap>();
        var reconnects = new List<double>();
        double? maxGap = null, maxGapAt = null;
        var gapsOverLimit = 0;
        AnswerWait? owed = null;
        for (var i = 0; i < connected.Count; i++)
        {
            var session = connected[i];
            var conversation = session.Conversation!;
            var offset = (session.ConnectedAtUtc!.Value - origin).TotalMilliseconds;
            if (i > 0)
            {
                var previous = connected[i - 1];
                reconnects.Add(offset - ((previous.ConnectedAtUtc!.Value - origin).TotalMilliseconds + previous.DurationMs));
            }

            var earlier = cycles.Count;
            cycles.AddRange(conversation.Cycles.Select(c => c with
            {
                Index = earlier + c.Index,
                StartMs = c.StartMs + offset,
                SpeechEndMs = c.SpeechEndMs + offset,
            }));
            if (owed is { } pending && session.FirstSpeechMs is { } speech && (conversation.Waits.Count == 0 || speech < conversation.Waits[0].ToMs))
            {
                // The agent spoke in the new session before answering any turn of it: the rest of the cut-off answer.
                waits.Add(pending with { ToMs = speech + offset, Answered = true });
                owed = null;
            }

            foreach (var wait in conversation.Waits.Select(w => new AnswerWait(w.FromMs + offset, w.ToMs + offset, w.Answered)))
            {
                var joined = owed is { } cut ? wait with { FromMs = cut.FromMs } : wait;
                owed = null;
                if (!joined.Answered && i + 1 < connected.Count)
                {
                    owed = joined; // cut off with its session: the next session's first answer closes it
                    continue;
                }

                waits.Add(joined);
            }

            if (conversation.MaxPlayoutGapMs is { } gap && gap > (maxGap ?? double.MinValue))
            {
                (maxGap, maxGapAt) = (gap, conversation.MaxPlayoutGapAtMs + offset);
            }

            gapsOverLimit += conversation.PlayoutGapsOverLimit;
            gaps.AddRange(conversation.GapsOverLimit.Select(g => g with { AtMs = g.AtMs + offset }));
        }

        if (owed is not null)
        {
            waits.Add(owed);
        }

        var givenUp = cycles.FirstOrDefault(static c => c.GivenUp);
        var last = connected[^1];
        var reason = givenUp is not null ? $"turn {givenUp.Index} unanswered within the reply timeout"
            : dialplanEnd is not null ? $"the dialplan ended the call: {dialplanEnd}"
            : last.Outcome != CallOutcome.CallerHangup ? $"the last session ended by {last.Outcome}"
            : null;
        var joinedConversation = new ConversationSummary
        {
            Cycles = cycles,
            Answered = connected.Sum(static s => s.Conversation!.Answered),
            Unanswered = connected.Sum(static s => s.Conversation!.Unanswered),
            ReplyLatency = TimingStats.FromValues([.. cycles.Where(static c => c.ReplyMs is not null).Select(static c => c.ReplyMs!.Value)]),
            Waits = waits,
            LongestWaitMs = waits.Count == 0 ? null : waits.Max(static w => w.DurationMs),
            MaxPlayoutGapMs = maxGap,
            MaxPlayoutGapAtMs = maxGapAt,
            PlayoutGapsOverLimit = gapsOverLimit,
            GapsOverLimit = gaps,
            Dropped = reason is not null,
            DropReason = reason,
        };
        return new JoinedConversation(joinedConversation, origin, reconnects);
    }
}
