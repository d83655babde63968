using AiAgent.Grains.Configuration;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Providers.Deepgram;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the Deepgram Voice Agent provider.</summary>
public static class DeepgramServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="DeepgramProvider"/> as an <see cref="IAgentProvider"/> singleton, with its metrics
    /// (meter <see cref="DeepgramMetrics.MeterName"/>) and its block <c>providers.deepgram</c>. Expects <c>IOptionsMonitor&lt;AgentOptions&gt;</c> to be configured.
    /// </summary>
    public static IServiceCollection AddDeepgramProvider(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DeepgramMetrics>();
        services.TryAddSingleton<AiAgent.Grains.Tools.ToolMetrics>();
        return services.AddAgentProvider<DeepgramProvider, DeepgramOptions>(
            DeepgramOptions.Name, static (o, c) => o.Validate(c.KeyPrefix, c.Errors, c.IsDefault));
    }
}
