namespace AiAgent.Grains.Interfaces.Asterisk;

/// <summary>
/// Who may hold the events WebSocket of one ARI application (key: the application's endpoint, e.g.
/// <c>http://pbx:8088/ari|aiagent</c>). Asterisk delivers an application's events to one WebSocket only (a second
/// connection replaces the first), so exactly one silo keeps it; the grain's single activation is the mutual exclusion.
/// </summary>
/// <remarks>
/// The lease lives in memory: if this grain's silo is lost, the next request reactivates it empty and the first silo
/// to ask takes the lease. The old holder, if it is still alive, learns it lost the lease at its next renewal and
/// drops its connection; the per-call grains are idempotent, so the overlap never handles a call twice
/// (docs/Architecture.md, "ARI mode").
/// </remarks>
public interface IAriLeaseGrain : IGrainWithStringKey
{
    /// <summary>
    /// Takes or renews the lease for <paramref name="holder"/> for <paramref name="duration"/>; true when the caller
    /// holds it afterwards. A lease held by another holder is granted only once it has expired.
    /// </summary>
    Task<bool> TryAcquireAsync(string holder, TimeSpan duration);

    /// <summary>Gives the lease up if <paramref name="holder"/> holds it (a silo shutting down), so another takes it at once.</summary>
    Task ReleaseAsync(string holder);

    /// <summary>The current holder, or null when the lease is free or expired.</summary>
    Task<string?> GetHolderAsync();
}
