using AiAgent.Grains.Providers;
using AiAgent.Grains.Providers.Deepgram;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Deepgram Voice Agent provider.</summary>
public static class DeepgramServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="DeepgramProvider"/> as an <see cref="IAgentProvider"/> singleton, with its metrics
    /// (meter <see cref="DeepgramMetrics.MeterName"/>). Expects <c>IOptionsMonitor&lt;AgentOptions&gt;</c> to be configured.
    /// </summary>
    public static IServiceCollection AddDeepgramProvider(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DeepgramMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAgentProvider, DeepgramProvider>());
        return services;
    }
}
