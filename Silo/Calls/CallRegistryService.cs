using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Calls;
using Orleans.Concurrency;

namespace AiAgent.Silo.Calls;

/// <summary>
/// The silo's <see cref="ICallRegistryService"/>: answers from the silo's <see cref="LocalCallRegistry"/>, which the
/// call activations on this silo keep up to date. Reentrant: a list is a read of a concurrent dictionary.
/// </summary>
[Reentrant]
internal sealed class CallRegistryService(GrainId id, Orleans.Runtime.Silo silo, ILoggerFactory loggers, LocalCallRegistry registry)
    : GrainService(id, silo, loggers), ICallRegistryService
{
    /// <inheritdoc/>
    public Task<IReadOnlyList<CallListing>> ListLiveAsync() => Task.FromResult(registry.Live());
}
