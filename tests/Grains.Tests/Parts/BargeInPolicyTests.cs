using AiAgent.Grains.Calls;
using AiAgent.Grains.Configuration;

namespace AiAgent.Grains.Tests.Parts;

/// <summary>The barge-in rules as a table: what the caller hears, when they start speaking, what the call does.</summary>
public sealed class BargeInPolicyTests
{
    private const int None = -1; // "no such time" in the rows below (attributes cannot hold null DateTimes)
    private static readonly DateTime Now = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly BargeInOptions Options = new() { Enabled = true, GreetingProtectionMs = 1500, EchoGuardMs = 300 };

    public enum Heard
    {
        Silence,
        Greeting,
        Answer,
    }

    [Theory]
    // heard,         started ms ago, greeting pending, last playout ended ms ago, action,                    suppressed by
    [InlineData(Heard.Silence, None, true, None, BargeInAction.None, BargeInPolicy.GreetingProtection)] // greeting asked for, not yet heard
    [InlineData(Heard.Silence, None, false, None, BargeInAction.CancelAnswer, null)] // an answer may be on its way
    [InlineData(Heard.Silence, None, false, 100, BargeInAction.None, BargeInPolicy.EchoGuard)] // the echo of audio that just stopped
    [InlineData(Heard.Silence, None, false, 299, BargeInAction.None, BargeInPolicy.EchoGuard)]
    [InlineData(Heard.Silence, None, false, 300, BargeInAction.CancelAnswer, null)] // the guard has passed
    [InlineData(Heard.Greeting, None, false, None, BargeInAction.Suppress, BargeInPolicy.GreetingProtection)] // greeting queued, not yet playing
    [InlineData(Heard.Greeting, 0, false, None, BargeInAction.Suppress, BargeInPolicy.GreetingProtection)]
    [InlineData(Heard.Greeting, 1499, false, None, BargeInAction.Suppress, BargeInPolicy.GreetingProtection)]
    [InlineData(Heard.Greeting, 1500, false, None, BargeInAction.Flush, null)] // protection over
    [InlineData(Heard.Greeting, 120_000, false, None, BargeInAction.Flush, null)]
    [InlineData(Heard.Greeting, 500, false, 100, BargeInAction.Suppress, BargeInPolicy.GreetingProtection)] // protection named first
    [InlineData(Heard.Greeting, 5000, false, 100, BargeInAction.Suppress, BargeInPolicy.EchoGuard)]
    [InlineData(Heard.Answer, None, false, None, BargeInAction.Flush, null)] // an answer has no protection, even queued
    [InlineData(Heard.Answer, 10, false, None, BargeInAction.Flush, null)]
    [InlineData(Heard.Answer, 10, false, 200, BargeInAction.Suppress, BargeInPolicy.EchoGuard)]
    [InlineData(Heard.Answer, 10, false, 301, BargeInAction.Flush, null)]
    public void Decides_from_what_the_caller_hears(Heard heard, int startedMsAgo, bool greetingPending, int endedMsAgo, BargeInAction action, string? suppressedBy)
    {
        var state = State(heard, startedMsAgo, greetingPending, endedMsAgo);

        var decision = BargeInPolicy.Decide(Options, state, Now);

        Assert.Equal(action, decision.Action);
        Assert.Equal(suppressedBy, decision.SuppressedBy);
        Assert.Equal(heard == Heard.Silence ? null : 7, decision.UtteranceId);
    }

    [Theory]
    [InlineData(Heard.Silence, true, BargeInAction.None)]
    [InlineData(Heard.Silence, false, BargeInAction.None)]
    [InlineData(Heard.Greeting, false, BargeInAction.Suppress)]
    [InlineData(Heard.Answer, false, BargeInAction.Suppress)]
    public void Disabled_never_interrupts_nor_cancels(Heard heard, bool greetingPending, BargeInAction action)
    {
        var decision = BargeInPolicy.Decide(new BargeInOptions { Enabled = false }, State(heard, 60_000, greetingPending, None), Now);

        Assert.Equal(action, decision.Action);
        Assert.Equal(BargeInPolicy.Disabled, decision.SuppressedBy);
    }

    [Fact]
    public void Zero_windows_protect_nothing()
    {
        var options = new BargeInOptions { Enabled = true, GreetingProtectionMs = 0, EchoGuardMs = 0 };

        Assert.Equal(BargeInAction.Flush, BargeInPolicy.Decide(options, State(Heard.Greeting, 0, false, 0), Now).Action);
        Assert.Equal(BargeInAction.CancelAnswer, BargeInPolicy.Decide(options, State(Heard.Silence, None, false, 0), Now).Action);
    }

    private static PlayoutState State(Heard heard, int startedMsAgo, bool greetingPending, int endedMsAgo)
    {
        PlayingUtterance? playing = heard == Heard.Silence
            ? null
            : new PlayingUtterance(7, heard == Heard.Greeting, startedMsAgo == None ? null : Now.AddMilliseconds(-startedMsAgo));
        return new PlayoutState(playing, greetingPending, endedMsAgo == None ? null : Now.AddMilliseconds(-endedMsAgo));
    }
}
