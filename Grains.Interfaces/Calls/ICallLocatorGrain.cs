namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>
/// Finds a call's current activation from its persisted record. Implemented by a stateless worker: it runs on the silo that gets
/// the request, so it is reachable while another silo is dead and not yet declared so.
/// </summary>
public interface ICallLocatorGrain : IGrainWithIntegerKey
{
    /// <summary>The call's epoch and state from its record; null when no record exists.</summary>
    Task<CallLocation?> LocateAsync(Guid callId);

    /// <summary>The call's last persisted snapshot; null when no record exists.</summary>
    Task<CallSnapshot?> ReadSnapshotAsync(Guid callId);
}

/// <summary>Where a call lives: its id and the epoch of its newest activation, and the state last persisted.</summary>
[GenerateSerializer, Immutable, Alias("AiAgent.CallLocation")]
public sealed record CallLocation(
    [property: Id(0)] Guid CallId,
    [property: Id(1)] int Epoch,
    [property: Id(2)] CallState State);

/// <summary>The locator every host uses (key 0: stateless workers need no other).</summary>
public static class CallLocator
{
    /// <summary>The locator grain.</summary>
    public static ICallLocatorGrain GetCallLocator(this IGrainFactory grains) => grains.GetGrain<ICallLocatorGrain>(0);
}
