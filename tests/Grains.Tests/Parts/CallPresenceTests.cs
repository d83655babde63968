using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Tests.Parts;

public sealed class CallPresenceTests
{
    [Fact]
    public void A_call_is_announced_refreshed_and_withdrawn_in_the_directory()
    {
        var directory = new RecordingDirectory();
        var started = new DateTime(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
        var listing = new CallListing(Guid.NewGuid(), "local", started, null);
        var presence = new CallPresence(directory, listing);

        presence.Announce();
        presence.Announce(); // the watchdog's heartbeat
        presence.Withdraw(started.AddMinutes(3));

        Assert.Equal([listing, listing], directory.Registered);
        Assert.Equal([(listing.CallId, started.AddMinutes(3))], directory.Unregistered);
    }

    [Fact]
    public void A_directory_that_fails_does_not_fail_the_call()
    {
        var presence = new CallPresence(new RecordingDirectory { Fails = true }, new CallListing(Guid.NewGuid(), "local", DateTime.UtcNow, null));

        presence.Announce();
        presence.Withdraw(DateTime.UtcNow);
    }

    private sealed class RecordingDirectory : ICallDirectoryGrain
    {
        public bool Fails { get; init; }

        public List<CallListing> Registered { get; } = [];

        public List<(Guid CallId, DateTime EndedAtUtc)> Unregistered { get; } = [];

        public Task RegisterAsync(CallListing listing)
        {
            Registered.Add(listing);
            return Fails ? Task.FromException(new TimeoutException()) : Task.CompletedTask;
        }

        public Task UnregisterAsync(Guid callId, DateTime endedAtUtc)
        {
            Unregistered.Add((callId, endedAtUtc));
            return Fails ? Task.FromException(new TimeoutException()) : Task.CompletedTask;
        }

        public Task<IReadOnlyList<CallListing>> ListLiveAsync() => throw new NotSupportedException();

        public Task<IReadOnlyList<CallListing>> ListRecentAsync() => throw new NotSupportedException();
    }
}
