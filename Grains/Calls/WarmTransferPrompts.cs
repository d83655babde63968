using AiAgent.Grains.Interfaces.Asterisk;

namespace AiAgent.Grains.Calls;

/// <summary>
/// The platform's instructions to the agent during a warm transfer. They name the destination and the outcome only:
/// the agent composes the briefing from the conversation it holds, so no transcript text passes through here.
/// </summary>
internal static class WarmTransferPrompts
{
    /// <summary>The human at <paramref name="destination"/> answered; the caller is on hold and cannot hear.</summary>
    public static string Briefing(string destination) =>
        $"A colleague from '{destination}' has answered and hears you now; the caller is on hold and cannot hear you. " +
        "Brief the colleague in two or three sentences: who is calling, what they need, and what you have done so far. " +
        "Then ask them to press 1 to take the call, or 2 to decline.";

    /// <summary>The caller is back with the agent after a transfer that did not complete.</summary>
    public static string Returned(string destination, WarmTransferOutcome outcome) =>
        $"The transfer to '{destination}' did not go through ({Describe(outcome)}). The caller is back with you and hears " +
        "you again: tell them briefly, and offer another way to help.";

    private static string Describe(WarmTransferOutcome outcome) => outcome switch
    {
        WarmTransferOutcome.Declined => "the colleague could not take the call",
        WarmTransferOutcome.NoAnswer => "nobody answered",
        WarmTransferOutcome.TimedOut => "the colleague did not confirm in time",
        _ => "a technical problem",
    };
}
