using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Keeps a live call listed in the call directory: announced when it starts, re-announced on every watchdog tick (so
/// the list heals if the directory's silo is lost) and withdrawn when it ends. One-way calls, never awaited.
/// </summary>
internal sealed class CallPresence(ICallDirectoryGrain directory, CallListing listing)
{
    /// <summary>Lists the call (also the heartbeat: registering again refreshes it).</summary>
    public void Announce() => directory.RegisterAsync(listing).Ignore();

    /// <summary>Moves the call to the directory's recently ended list.</summary>
    public void Withdraw(DateTime endedAtUtc) => directory.UnregisterAsync(listing.CallId, endedAtUtc).Ignore();
}
