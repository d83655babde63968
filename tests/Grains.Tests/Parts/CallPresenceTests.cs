using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Time.Testing;

namespace AiAgent.Grains.Tests.Parts;

public sealed class CallPresenceTests
{
    private static readonly DateTime Started = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Each_announcement_lists_the_calls_latest_figures_and_the_withdrawal_unlists_it()
    {
        var registry = new LocalCallRegistry("silo-a", new FakeTimeProvider(Started));
        var turns = 0;
        var callId = Guid.NewGuid();
        var presence = new CallPresence(registry, () => Listing(callId) with { Turns = turns, LastTurnLatencyMs = turns > 0 ? 12.5 : null });

        presence.Announce();
        Assert.Equal(0, Assert.Single(registry.Live()).Turns);

        turns = 1;
        presence.Announce(); // the turn was measured
        var listed = Assert.Single(registry.Live());
        Assert.Equal((1, 12.5), (listed.Turns, listed.LastTurnLatencyMs));

        presence.Withdraw(Started.AddMinutes(3));
        Assert.Empty(registry.Live());
    }

    [Fact]
    public void An_announcement_after_the_withdrawal_does_not_list_the_call_again()
    {
        var registry = new LocalCallRegistry("silo-a", new FakeTimeProvider(Started));
        var listing = Listing(Guid.NewGuid());
        var presence = new CallPresence(registry, () => listing);

        presence.Announce();
        presence.Withdraw(Started.AddMinutes(1));
        presence.Announce(); // a playout report that arrived after the hang-up

        Assert.Empty(registry.Live());
    }

    [Fact]
    public void The_withdrawal_of_an_old_activation_leaves_its_successors_entry()
    {
        var registry = new LocalCallRegistry("silo-a", new FakeTimeProvider(Started));
        var callId = Guid.NewGuid();
        var old = new CallPresence(registry, () => Listing(callId) with { Epoch = 1 });
        var restored = new CallPresence(registry, () => Listing(callId) with { Epoch = 2 });

        old.Announce();
        restored.Announce();
        old.Withdraw(Started.AddMinutes(1));

        Assert.Equal(2, Assert.Single(registry.Live()).Epoch);
    }

    internal static CallListing Listing(Guid callId) =>
        new(callId, "local", Started, CallState.Active, AudioFormat.Slin8, "gateway-1", 0, null);
}
