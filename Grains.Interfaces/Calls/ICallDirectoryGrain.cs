using Orleans.Concurrency;

namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>
/// The list of live calls, for operators. One activation (key 0); calls register when they
/// start, re-register periodically (so the list heals if this grain's silo is lost) and unregister when they end.
/// </summary>
public interface ICallDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or refreshes a live call.</summary>
    [OneWay]
    Task RegisterAsync(CallListing listing);

    /// <summary>Removes a call that ended at <paramref name="endedAtUtc"/> from the live list.</summary>
    [OneWay]
    Task UnregisterAsync(Guid callId, DateTime endedAtUtc);

    /// <summary>Live calls, oldest first.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<CallListing>> ListLiveAsync();
}

/// <summary>One row of the call directory.</summary>
[GenerateSerializer, Immutable, Alias("AiAgent.CallListing")]
public sealed record CallListing(
    [property: Id(0)] Guid CallId,
    [property: Id(1)] string Provider,
    [property: Id(2)] DateTime StartedAtUtc,
    [property: Id(3)] DateTime? EndedAtUtc);
