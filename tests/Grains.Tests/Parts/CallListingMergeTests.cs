using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Tests.Parts;

public sealed class CallListingMergeTests
{
    private static readonly DateTime Now = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_call_listed_by_two_silos_shows_once_with_its_highest_epoch()
    {
        var callId = Guid.NewGuid();
        var old = At("silo-a", callId, epoch: 1, seenAgo: 0); // refreshed last, but by the old activation
        var restored = At("silo-b", callId, epoch: 2, seenAgo: 5);

        var merged = CallListingMerge.Merge([[old], [restored]]);

        Assert.Equal("silo-b", Assert.Single(merged).Silo);
        Assert.Equal("silo-b", Assert.Single(CallListingMerge.Merge([[restored], [old]])).Silo);
    }

    [Fact]
    public void At_equal_epochs_the_entry_seen_last_wins()
    {
        var callId = Guid.NewGuid();

        var merged = CallListingMerge.Merge([[At("silo-a", callId, epoch: 0, seenAgo: 20)], [At("silo-b", callId, epoch: 0, seenAgo: 1)]]);

        Assert.Equal("silo-b", Assert.Single(merged).Silo);
    }

    [Fact]
    public void Calls_from_every_silo_are_listed_oldest_first()
    {
        var first = CallPresenceTests.Listing(Guid.NewGuid()) with { StartedAtUtc = Now.AddMinutes(-9) };
        var second = CallPresenceTests.Listing(Guid.NewGuid()) with { StartedAtUtc = Now.AddMinutes(-5) };
        var third = CallPresenceTests.Listing(Guid.NewGuid()) with { StartedAtUtc = Now.AddMinutes(-1) };

        var merged = CallListingMerge.Merge([[third, first], [], [second]]);

        Assert.Equal([first.CallId, second.CallId, third.CallId], merged.Select(c => c.CallId));
    }

    private static CallListing At(string silo, Guid callId, int epoch, int seenAgo) =>
        CallPresenceTests.Listing(callId) with { Epoch = epoch, Silo = silo, LastSeenUtc = Now.AddSeconds(-seenAgo) };
}
