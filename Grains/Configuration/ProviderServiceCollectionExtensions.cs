using AiAgent.Grains.Providers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiAgent.Grains.Configuration;

/// <summary>How a provider registers itself: each provider's own DI extension calls <see cref="AddAgentProvider{TProvider, TOptions}"/>.</summary>
public static class ProviderServiceCollectionExtensions
{
    /// <summary>
    /// Registers <typeparamref name="TProvider"/> as an <see cref="IAgentProvider"/> named <paramref name="name"/>, with
    /// its options block <c>providers.&lt;name&gt;</c> bound to <typeparamref name="TOptions"/> and checked by
    /// <paramref name="validate"/> whenever <c>AgentOptions</c> are (start-up and every reload). Registering the same
    /// name again does nothing.
    /// </summary>
    public static IServiceCollection AddAgentProvider<TProvider, TOptions>(this IServiceCollection services, string name, ProviderOptionsValidator<TOptions> validate)
        where TProvider : class, IAgentProvider
        where TOptions : class, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(validate);
        services.TryAddSingleton<ProviderRegistry>();
        if (services.Any(d => d.ServiceType == typeof(ProviderRegistration) && d.ImplementationInstance is ProviderRegistration r && r.Name == name))
        {
            return services;
        }

        services.AddSingleton<ProviderRegistration>(new ProviderRegistration<TOptions>(name, validate));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAgentProvider, TProvider>());
        return services;
    }
}
