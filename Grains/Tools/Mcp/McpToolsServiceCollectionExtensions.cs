using AiAgent.Grains.Configuration;
using AiAgent.Grains.Interfaces.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Tools.Mcp;

/// <summary>Registers the tools of the configured MCP servers (<c>tools.mcp</c>).</summary>
public static class McpToolsServiceCollectionExtensions
{
    /// <summary>The named <see cref="HttpClient"/> the MCP sessions use (no timeout: a session holds a stream open).</summary>
    public const string ClientName = "AiAgent.McpTools";

    /// <summary>
    /// Binds <see cref="McpToolsOptions"/> from <c>tools</c> (validated at start-up; an invalid edit keeps the last good
    /// servers) and adds an <see cref="IToolSource"/> offering the allow-listed tools of every server.
    /// </summary>
    public static IServiceCollection AddMcpTools(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<McpToolsOptions>().Bind(configuration.GetSection(McpToolsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<McpToolsOptions>>(new McpToolsOptionsValidator()));
        services.TryAddSingleton<IOptionsMonitor<McpToolsOptions>, LastGoodOptionsMonitor<McpToolsOptions>>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(ClientName, c => c.Timeout = Timeout.InfiniteTimeSpan).RemoveAllLoggers();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IToolSource, McpToolSource>());
        return services;
    }

    /// <summary>Declares the keys <see cref="AddMcpTools"/> reads, for the unknown-key check.</summary>
    public static ConfigurationSchema AddMcpToolKeys(this ConfigurationSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.Bind(McpToolsOptions.SectionName, typeof(McpToolsOptions));
    }
}
