namespace AiAgent.Grains.Calls;

/// <summary>What to do when the caller starts speaking.</summary>
internal enum BargeInAction
{
    /// <summary>The agent is silent and nothing may be cancelled (barge-in off, greeting pending, echo): do nothing.</summary>
    None,

    /// <summary>The caller spoke over playing audio, but the policy keeps it playing (counted as suppressed).</summary>
    Suppress,

    /// <summary>The agent is silent: ask the provider to stop the answer it may be preparing.</summary>
    CancelAnswer,

    /// <summary>The caller talks over the agent: flush what is playing and cancel the answer.</summary>
    Flush,
}

/// <summary>The outcome of <see cref="BargeInPolicy.Decide"/>.</summary>
/// <param name="Action">What to do.</param>
/// <param name="UtteranceId">The utterance playing (for <see cref="BargeInAction.Suppress"/> and <see cref="BargeInAction.Flush"/>), else null.</param>
/// <param name="SuppressedBy">Why the speech is not a barge-in (one of the <see cref="BargeInPolicy"/> reasons), else null.</param>
internal readonly record struct BargeInDecision(BargeInAction Action, int? UtteranceId, string? SuppressedBy);
