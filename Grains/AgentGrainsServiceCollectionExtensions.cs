using AiAgent.Grains.Asterisk;
using AiAgent.Grains.Calls;
using AiAgent.Grains.Configuration;
using AiAgent.Grains.Providers.Local;
using AiAgent.Grains.Providers.OpenAIRealtime;
using AiAgent.Grains.Tools;
using AiAgent.Grains.Tools.Http;
using AiAgent.Grains.Tools.Mcp;
using AiAgent.Grains.Webhooks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains;

/// <summary>Registers what the call grains need in a silo.</summary>
public static class AgentGrainsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="AgentOptions"/> from the root of <paramref name="configuration"/> (validated at start-up;
    /// live edits that fail validation are rejected and the last good options stay), and registers metrics and the
    /// built-in providers. Each provider registers itself with its options block and validator
    /// (<see cref="ProviderServiceCollectionExtensions.AddAgentProvider{TProvider, TOptions}"/>); another one is
    /// added by calling its own extension beside these, and <c>default_provider</c> accepts it.
    /// </summary>
    public static IServiceCollection AddAgentGrains(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AgentOptions>().Bind(configuration).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>());
        services.AddSingleton<IOptionsMonitor<AgentOptions>, LastGoodOptionsMonitor<AgentOptions>>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<CallMetrics>();
        services.TryAddSingleton<CallRecords>();
        services.TryAddSingleton<ProviderRegistry>();
        services.TryAddSingleton(s => new LocalCallRegistry(s.GetRequiredService<ILocalSiloDetails>(), s.GetRequiredService<TimeProvider>()));
        services.AddAgentTools(configuration);
        services.AddLocalProvider();
        services.AddOpenAIRealtimeProvider();
        services.AddDeepgramProvider();
        services.AddAriMode(configuration);
        services.AddHttpTools(configuration);
        services.AddMcpTools(configuration);
        services.AddCallWebhook(configuration);
        return services;
    }
}
