using Orleans.Services;

namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>
/// One per silo (an Orleans grain service, started and stopped with its silo): lists the live calls whose activations
/// run on that silo, from the silo's in-memory registry. The call directory asks every active silo's instance.
/// </summary>
public interface ICallRegistryService : IGrainService
{
    /// <summary>This silo's live calls (entries past their last-seen expiry left out), in no particular order.</summary>
    Task<IReadOnlyList<CallListing>> ListLiveAsync();
}
