using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Calls;

/// <summary>In-memory directory of live calls (see <see cref="ICallDirectoryGrain"/>).</summary>
public sealed class CallDirectoryGrain : Grain, ICallDirectoryGrain
{
    private readonly Dictionary<Guid, CallListing> _live = [];

    /// <inheritdoc/>
    public Task RegisterAsync(CallListing listing)
    {
        _live[listing.CallId] = listing;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task UnregisterAsync(Guid callId, DateTime endedAtUtc)
    {
        _live.Remove(callId);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<CallListing>> ListLiveAsync() =>
        Task.FromResult<IReadOnlyList<CallListing>>([.. _live.Values.OrderBy(c => c.StartedAtUtc)]);
}
