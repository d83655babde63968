using AiAgent.Grains.Calls;
using Microsoft.Extensions.Time.Testing;

namespace AiAgent.Grains.Tests.Parts;

public sealed class LocalCallRegistryTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void An_entry_is_stamped_with_its_silo_and_the_time_it_was_seen()
    {
        var registry = new LocalCallRegistry("S10.0.0.1:11111:1", _time);
        var listing = CallPresenceTests.Listing(Guid.NewGuid());

        registry.Register(listing);
        _time.Advance(TimeSpan.FromSeconds(4));
        var listed = Assert.Single(registry.Live());

        Assert.Equal("S10.0.0.1:11111:1", listed.Silo);
        Assert.Equal(_time.GetUtcNow().UtcDateTime.AddSeconds(-4), listed.LastSeenUtc);
        Assert.Equal(listing.CallId, listed.CallId);
    }

    [Fact]
    public void Heartbeats_keep_an_entry_and_one_that_misses_three_expires()
    {
        var registry = new LocalCallRegistry("silo-a", _time);
        var beating = CallPresenceTests.Listing(Guid.NewGuid());
        var silent = CallPresenceTests.Listing(Guid.NewGuid());
        registry.Register(beating);
        registry.Register(silent);

        for (var beat = 0; beat < CallPresence.MissedHeartbeatsBeforeExpiry; beat++)
        {
            _time.Advance(CallPresence.HeartbeatPeriod);
            Assert.Contains(registry.Live(), l => l.CallId == silent.CallId); // not yet three missed
            registry.Register(beating);
        }

        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal([beating.CallId], registry.Live().Select(l => l.CallId));
        Assert.Equal(TimeSpan.FromSeconds(30), CallPresence.ExpireAfter);
    }

    [Fact]
    public void A_lingering_older_activation_does_not_replace_the_newer_entry()
    {
        var registry = new LocalCallRegistry("silo-a", _time);
        var callId = Guid.NewGuid();

        registry.Register(CallPresenceTests.Listing(callId) with { Epoch = 2, Turns = 5 });
        registry.Register(CallPresenceTests.Listing(callId) with { Epoch = 1, Turns = 9 }); // the old one's heartbeat
        registry.Withdraw(callId, epoch: 1);

        var listed = Assert.Single(registry.Live());
        Assert.Equal((2, 5), (listed.Epoch, listed.Turns));
        registry.Withdraw(callId, epoch: 2);
        Assert.Empty(registry.Live());
    }
}
