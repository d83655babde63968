namespace AiAgent.CallSim.Reporting;

/// <summary>The conversation figures of a run, over every call that talked in cycles.</summary>
public sealed record ConversationLoadSummary
{
    /// <summary>Calls that talked in cycles.</summary>
    public int Calls { get; init; }

    /// <summary>Calls dropped (<see cref="ConversationSummary.Dropped"/>).</summary>
    public int Dropped { get; init; }

    /// <summary>Caller turns, all calls.</summary>
    public int Turns { get; init; }

    /// <summary>Turns left unanswered, all calls.</summary>
    public int Unanswered { get; init; }

    /// <summary>End of a turn to the first agent speech, pooled over every answered turn of every call.</summary>
    public required TimingStats ReplyLatency { get; init; }

    /// <summary>Each call's longest wait for an answer (<see cref="ConversationSummary.LongestWaitMs"/>).</summary>
    public required TimingStats LongestWait { get; init; }

    /// <summary>Each call's longest playout gap (<see cref="ConversationSummary.MaxPlayoutGapMs"/>).</summary>
    public required TimingStats MaxPlayoutGap { get; init; }

    /// <summary>Calls with a playout gap over <see cref="ConversationSummary.PlayoutGapLimitMs"/>.</summary>
    public int CallsWithPlayoutGapOverLimit { get; init; }

    /// <summary>The first dropped calls and why.</summary>
    public IReadOnlyList<string> Drops { get; init; } = [];

    /// <summary>The aggregate of the calls that have a conversation; null when none has.</summary>
    public static ConversationLoadSummary? From(IEnumerable<CallSummary> calls)
    {
        var conversations = calls.Where(static c => c.Conversation is not null).Select(static c => (c.CallId, Conversation: c.Conversation!)).ToList();
        if (conversations.Count == 0)
        {
            return null;
        }

        var latencies = conversations.SelectMany(static c => c.Conversation.Cycles).Where(static t => t.ReplyMs is not null).Select(static t => t.ReplyMs!.Value);
        double[] PerCall(Func<ConversationSummary, double?> figure) =>
            conversations.Select(c => figure(c.Conversation)).Where(static v => v is not null).Select(static v => v!.Value).ToArray();

        return new ConversationLoadSummary
        {
            Calls = conversations.Count,
            Dropped = conversations.Count(static c => c.Conversation.Dropped),
            Turns = conversations.Sum(static c => c.Conversation.Cycles.Count),
            Unanswered = conversations.Sum(static c => c.Conversation.Unanswered),
            ReplyLatency = TimingStats.FromValues(latencies.ToArray()),
            LongestWait = TimingStats.FromValues(PerCall(static c => c.LongestWaitMs)),
            MaxPlayoutGap = TimingStats.FromValues(PerCall(static c => c.MaxPlayoutGapMs)),
            CallsWithPlayoutGapOverLimit = conversations.Count(static c => c.Conversation.PlayoutGapsOverLimit > 0),
            Drops = conversations.Where(static c => c.Conversation.Dropped).Take(10).Select(static c => $"{c.CallId}: {c.Conversation.DropReason}").ToArray(),
        };
    }
}
