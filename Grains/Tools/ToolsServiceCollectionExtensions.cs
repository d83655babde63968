using AiAgent.Grains.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Tools;

/// <summary>DI registration of tool calling.</summary>
public static class ToolsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>tools</c> and <c>transfer</c> (validated at start-up; a live edit that fails validation is rejected and
    /// the last good options stay, as for <c>providers.*</c>), registers the built-ins as an <see cref="IToolSource"/>,
    /// the <see cref="ToolRegistry"/> that composes every <see cref="IToolSource"/> in DI, and <see cref="ToolMetrics"/>.
    /// Another source joins by registering itself: <c>services.AddSingleton&lt;IToolSource, MySource&gt;()</c>.
    /// </summary>
    public static IServiceCollection AddAgentTools(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(ToolRegistry)))
        {
            return services;
        }

        services.AddOptions<ToolsOptions>().Bind(configuration.GetSection(ToolsOptions.SectionName)).ValidateOnStart();
        services.AddOptions<TransferOptions>().Bind(configuration.GetSection(TransferOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ToolsOptions>, ToolsOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TransferOptions>, TransferOptionsValidator>());
        services.AddSingleton<IOptionsMonitor<ToolsOptions>, LastGoodOptionsMonitor<ToolsOptions>>();
        services.AddSingleton<IOptionsMonitor<TransferOptions>, LastGoodOptionsMonitor<TransferOptions>>();
        services.AddConfigurationSection<ToolsOptions>(ToolsOptions.SectionName);
        services.AddConfigurationSection<TransferOptions>(TransferOptions.SectionName);
        services.AddMetrics();
        services.TryAddSingleton<ToolMetrics>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IToolSource, BuiltInToolSource>());
        services.AddSingleton<ToolRegistry>();
        return services;
    }
}
