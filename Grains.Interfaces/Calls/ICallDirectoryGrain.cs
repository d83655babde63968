using Orleans.Concurrency;

namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>
/// The list of live (and recently ended) calls, for operators. One activation (key 0); calls register when they
/// start, re-register periodically (so the list heals if this grain's silo is lost) and unregister when they end.
/// </summary>
public interface ICallDirectoryGrain : IGrainWithIntegerKey
{
    /// <summary>Adds or refreshes a live call.</summary>
    [OneWay]
    Task RegisterAsync(CallListing listing);

    /// <summary>Moves a call to the recently ended list.</summary>
    [OneWay]
    Task UnregisterAsync(Guid callId, DateTime endedAtUtc);

    /// <summary>Live calls, oldest first.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<CallListing>> ListLiveAsync();

    /// <summary>Recently ended calls, newest first.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<CallListing>> ListRecentAsync();
}

/// <summary>One row of the call directory.</summary>
[GenerateSerializer, Immutable, Alias("AiAgent.CallListing")]
public sealed record CallListing(
    [property: Id(0)] Guid CallId,
    [property: Id(1)] string Provider,
    [property: Id(2)] DateTime StartedAtUtc,
    [property: Id(3)] DateTime? EndedAtUtc);
