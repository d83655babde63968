using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiAgent.Silo.Calls;

/// <summary>Registers the call directory: the per-silo registry service and the cluster-wide list built from it.</summary>
public static class CallDirectorySiloExtensions
{
    /// <summary>Adds <see cref="CallRegistryService"/> to every silo and <see cref="CallDirectory"/> for the call API.</summary>
    public static ISiloBuilder AddCallDirectory(this ISiloBuilder silo)
    {
        silo.AddGrainService<CallRegistryService>();
        silo.Services.TryAddSingleton<CallRegistryServiceClient>();
        silo.Services.TryAddSingleton<CallDirectory>();
        return silo;
    }
}
