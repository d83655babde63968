using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Calls;

/// <summary>In-memory directory of live and recently ended calls (see <see cref="ICallDirectoryGrain"/>).</summary>
public sealed class CallDirectoryGrain : Grain, ICallDirectoryGrain
{
    private const int RecentLimit = 200;
    private readonly Dictionary<Guid, CallListing> _live = [];
    private readonly LinkedList<CallListing> _recent = new();

    /// <inheritdoc/>
    public Task RegisterAsync(CallListing listing)
    {
        _live[listing.CallId] = listing;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task UnregisterAsync(Guid callId, DateTime endedAtUtc)
    {
        if (_live.Remove(callId, out var listing))
        {
            _recent.AddFirst(listing with { EndedAtUtc = endedAtUtc });
            if (_recent.Count > RecentLimit)
            {
                _recent.RemoveLast();
            }
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<CallListing>> ListLiveAsync() =>
        Task.FromResult<IReadOnlyList<CallListing>>([.. _live.Values.OrderBy(c => c.StartedAtUtc)]);

    /// <inheritdoc/>
    public Task<IReadOnlyList<CallListing>> ListRecentAsync() =>
        Task.FromResult<IReadOnlyList<CallListing>>([.. _recent]);
}
