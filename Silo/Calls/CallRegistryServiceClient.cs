using AiAgent.Grains.Interfaces.Calls;
using Orleans.Runtime.Services;

namespace AiAgent.Silo.Calls;

/// <summary>Addresses the <see cref="ICallRegistryService"/> of a given silo (a system target: no placement, no directory lookup).</summary>
public sealed class CallRegistryServiceClient(IServiceProvider services) : GrainServiceClient<ICallRegistryService>(services)
{
    /// <summary>The registry service of <paramref name="silo"/>.</summary>
    public ICallRegistryService For(SiloAddress silo) => GetGrainService(silo);
}
