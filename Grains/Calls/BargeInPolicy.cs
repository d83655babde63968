using AiAgent.Grains.Configuration;

namespace AiAgent.Grains.Calls;

/// <summary>
/// The barge-in rules, the same for every provider: the agent stops only when the caller really talks over it. The
/// greeting cannot be cut during its first <c>greeting_protection_ms</c> (nor before it plays), and speech starting
/// within <c>echo_guard_ms</c> after agent audio stopped is the line's echo of it. Pure: same inputs, same decision.
/// </summary>
internal static class BargeInPolicy
{
    /// <summary>Suppression reason (metric tag): <c>barge_in.enabled</c> is false.</summary>
    public const string Disabled = "disabled";

    /// <summary>Suppression reason: the greeting is protected.</summary>
    public const string GreetingProtection = "greeting_protection";

    /// <summary>Suppression reason: the speech is likely the echo of agent audio that just stopped.</summary>
    public const string EchoGuard = "echo_guard";

    /// <summary>Decides what caller speech starting at <paramref name="atUtc"/> does, given what the caller hears.</summary>
    public static BargeInDecision Decide(BargeInOptions options, PlayoutState state, DateTime atUtc)
    {
        var suppressedBy = SuppressedBy(options, state, atUtc);
        if (state.Playing is not { } playing)
        {
            // Nothing audible to interrupt: an ordinary turn, unless an answer is being generated (the provider knows).
            return suppressedBy is null
                ? new BargeInDecision(BargeInAction.CancelAnswer, null, null)
                : new BargeInDecision(BargeInAction.None, null, suppressedBy);
        }

        return suppressedBy is null
            ? new BargeInDecision(BargeInAction.Flush, playing.Id, null)
            : new BargeInDecision(BargeInAction.Suppress, playing.Id, suppressedBy);
    }

    private static string? SuppressedBy(BargeInOptions options, PlayoutState state, DateTime atUtc)
    {
        if (!options.Enabled)
        {
            return Disabled;
        }

        var greetingProtected = state.Playing is { } playing
            ? playing.IsGreeting && (playing.PlayoutStartedUtc is not { } started || atUtc - started < TimeSpan.FromMilliseconds(options.GreetingProtectionMs))
            : state.GreetingPending; // the greeting is asked for, not yet heard
        if (greetingProtected)
        {
            return GreetingProtection;
        }

        if (state.LastPlayoutEndedUtc is { } ended && atUtc - ended < TimeSpan.FromMilliseconds(options.EchoGuardMs))
        {
            return EchoGuard;
        }

        return null;
    }
}
