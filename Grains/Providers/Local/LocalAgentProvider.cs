using AiAgent.Grains.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Providers.Local;

/// <summary>
/// The offline provider: energy VAD, an audible greeting, and after each caller turn it plays the turn back.
/// It goes through exactly the same grain, conversion and stream path as the hosted providers.
/// </summary>
public sealed class LocalAgentProvider(IOptionsMonitor<AgentOptions> options, ILoggerFactory loggerFactory) : IAgentProvider
{
    /// <inheritdoc/>
    public string Name => LocalProviderOptions.Name;

    /// <inheritdoc/>
    public IAgentSession CreateSession(AgentSessionContext context) =>
        new LocalAgentSession(context, options.CurrentValue.Providers.Local, loggerFactory.CreateLogger<LocalAgentSession>());
}

/// <summary>Registration of the local provider.</summary>
public static class LocalProviderServiceCollectionExtensions
{
    /// <summary>Registers the <c>local</c> provider as an <see cref="IAgentProvider"/>.</summary>
    public static IServiceCollection AddLocalProvider(this IServiceCollection services) =>
        services.AddAgentProvider<LocalAgentProvider, LocalProviderOptions>(LocalProviderOptions.Name, static (o, c) => o.Validate(c.KeyPrefix, c.Errors));
}
