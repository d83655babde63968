using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Silo.Calls;

/// <summary>
/// The list of live calls across the cluster (<c>docs/Architecture.md#call-directory</c>): one request to every active
/// silo's <see cref="ICallRegistryService"/>, in parallel, each bounded by <see cref="SiloTimeout"/>, merged so that each
/// call shows once (its newest activation). A silo that does not answer in time (dead, not yet declared dead by
/// membership) costs that wait and drops out of the list; nothing asks the calls themselves.
/// </summary>
public sealed partial class CallDirectory(IClusterMembershipService membership, CallRegistryServiceClient registries, ILogger<CallDirectory> logger)
{
    /// <summary>The longest one silo may take to list its calls.</summary>
    public static readonly TimeSpan SiloTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Live calls on every active silo, oldest first.</summary>
    public async Task<IReadOnlyList<CallListing>> ListLiveAsync(CancellationToken cancellationToken)
    {
        // A silo shutting down still hosts its calls until they end; one that is dead or not yet active hosts none.
        var silos = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status is SiloStatus.Active or SiloStatus.ShuttingDown or SiloStatus.Stopping)
            .Select(m => m.SiloAddress);
        var lists = await Task.WhenAll(silos.Select(s => ListSiloAsync(s, cancellationToken)));
        return CallListingMerge.Merge(lists);
    }

    private async Task<IReadOnlyList<CallListing>> ListSiloAsync(SiloAddress silo, CancellationToken cancellationToken)
    {
        try
        {
            return await registries.For(silo).ListLiveAsync().WaitAsync(SiloTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            LogSiloUnavailable(logger, silo, ex.GetType().Name);
            return [];
        }
    }

    [LoggerMessage(EventId = 2600, Level = LogLevel.Warning, Message = "Call directory: silo {Silo} did not list its calls ({Failure}); its calls are left out of this list")]
    private static partial void LogSiloUnavailable(ILogger logger, SiloAddress silo, string failure);
}
