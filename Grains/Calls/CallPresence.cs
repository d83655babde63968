using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Keeps a live call listed in its silo's <see cref="LocalCallRegistry"/>: announced when it starts, when its figures
/// change and on every watchdog tick (the heartbeat), withdrawn when it ends. Each announcement builds a fresh
/// <see cref="CallListing"/> from the call, on the call's own scheduler; it is an in-memory write, never a message.
/// </summary>
internal sealed class CallPresence(LocalCallRegistry registry, Func<CallListing> listing)
{
    private bool _withdrawn;

    /// <summary>How often a live call re-announces itself (the call grain's watchdog period).</summary>
    public static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromSeconds(10);

    /// <summary>Heartbeats a listing may miss before it expires.</summary>
    public const int MissedHeartbeatsBeforeExpiry = 3;

    /// <summary>An entry not refreshed for this long is no longer listed.</summary>
    public static TimeSpan ExpireAfter => HeartbeatPeriod * MissedHeartbeatsBeforeExpiry;

    /// <summary>Lists the call, or refreshes its listing (also the heartbeat); nothing once withdrawn (a late playout report).</summary>
    public void Announce()
    {
        if (!_withdrawn)
        {
            registry.Register(listing());
        }
    }

    /// <summary>Unlists the call, which ended at <paramref name="endedAtUtc"/> (its record keeps that; the registry holds live calls only).</summary>
    public void Withdraw(DateTime endedAtUtc)
    {
        _withdrawn = true;
        var withdrawn = listing();
        registry.Withdraw(withdrawn.CallId, withdrawn.Epoch);
    }
}
