using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;

namespace AiAgent.Silo.Storage;

/// <summary>Wraps a registered grain storage in <see cref="ResilientGrainStorage"/>.</summary>
public static class ResilientGrainStorageExtensions
{
    /// <summary>
    /// Replaces the grain storage registered as <paramref name="name"/> (memory or Redis, added before this call) with
    /// <see cref="ResilientGrainStorage"/> around it. The provider is still built by its own factory under its own name,
    /// so its named options apply unchanged.
    /// </summary>
    public static IServiceCollection AddResilientGrainStorage(this IServiceCollection services, string name)
    {
        var registered = services.LastOrDefault(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, name))
            ?? throw new InvalidOperationException($"no grain storage named '{name}' is registered to wrap");
        var innerFactory = registered.KeyedImplementationFactory
            ?? throw new InvalidOperationException($"grain storage '{name}' is not registered by a factory");
        services.Remove(registered);
        services.AddOptions<RecordStorageOptions>();
        services.AddSingleton(sp => new RecordStorageStatus(sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton<RecordStorageMetrics>();
        services.AddKeyedSingleton<IGrainStorage>(name, (sp, key) => new ResilientGrainStorage(
            (IGrainStorage)innerFactory(sp, key),
            sp.GetRequiredService<IOptions<RecordStorageOptions>>(),
            sp.GetRequiredService<RecordStorageMetrics>(),
            sp.GetRequiredService<RecordStorageStatus>(),
            sp.GetRequiredService<DeepCopier>(),
            sp.GetRequiredService<Serializer>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ResilientGrainStorage>>(),
            sp.GetService<TimeProvider>()));

        // The wrapper always joins the lifecycle (to flush at stop); it ignores a second registration, such as the
        // one a lifecycle-participating provider made for itself, which now resolves the wrapper too.
        services.AddSingleton(sp => (ILifecycleParticipant<ISiloLifecycle>)sp.GetRequiredKeyedService<IGrainStorage>(name));
        return services;
    }
}
