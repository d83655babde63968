using AiAgent.Grains.Asterisk;
using AiAgent.Grains.Configuration;
using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Grains.Tools.Http;
using AiAgent.Grains.Tools.Mcp;
using AiAgent.Grains.Webhooks;
using AiAgent.Silo.Api;
using AiAgent.Silo.Operators;
using Microsoft.Extensions.Primitives;

namespace AiAgent.Silo.Hosting;

/// <summary>Loads <c>config/ai-agent.yaml</c> (watched) and logs edits that cannot be parsed.</summary>
public static partial class AgentConfigurationExtensions
{
    /// <summary>
    /// Adds the YAML file and its overrides (<see cref="AgentConfigFile"/>; the API token may also come as
    /// <c>--AIAGENT_API_TOKEN=…</c>); returns the hosting sections, validated.
    /// </summary>
    public static HostingOptions AddAgentConfiguration(this WebApplicationBuilder builder, string[] args)
    {
        var path = builder.Configuration.AddAgentConfigFile(args, reloadOnChange: true, OperatorAccess.TokenVariable);
        builder.Services.AddHostedService(sp => new ConfigFileWatcherLog(path, sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<ILogger<ConfigFileWatcherLog>>()));
        return HostingOptions.Load(builder.Configuration);
    }

    /// <summary>
    /// Stops the start-up when an argument or an <c>AIAGENT_</c> variable sets a key that nothing reads
    /// (<see cref="AgentConfigFile.ThrowIfUnused"/>); called once every feature, and so every provider, is registered.
    /// </summary>
    public static WebApplicationBuilder ThrowIfUnusedSettings(this WebApplicationBuilder builder, string[] args)
    {
        AgentConfigFile.ThrowIfUnused(args, Settings(builder.Services));
        return builder;
    }

    /// <summary>
    /// Every key the silo reads: the co-hosted gateway's (<see cref="Gateway.Program.Settings"/>), <see cref="AgentOptions"/>
    /// and <see cref="HostingOptions"/> at the root, the API token, and the block of each provider registered in
    /// <paramref name="services"/> (so <c>providers</c> accepts only registered names), and each section a feature declared
    /// (<see cref="ConfigurationSectionRegistration"/>: <c>tools</c>, <c>transfer</c>, ...).
    /// </summary>
    public static ConfigurationSchema Settings(IServiceCollection services)
    {
        var schema = Gateway.Program.Settings()
            .Bind(string.Empty, typeof(AgentOptions))
            .Bind(string.Empty, typeof(HostingOptions))
            .Bind(DispositionAccessOptions.SectionName, typeof(DispositionAccessOptions))
            .Bind(AsteriskModeOptions.SectionName, typeof(AsteriskModeOptions))
            .Key(OperatorAccess.TokenVariable)
            .AddHttpToolKeys()
            .AddMcpToolKeys()
            .AddWebhookKeys();
        foreach (var provider in services.Where(d => !d.IsKeyedService).Select(d => d.ImplementationInstance).OfType<ProviderRegistration>())
        {
            schema.Bind(provider.SectionPath, provider.OptionsType);
        }

        foreach (var section in services.Where(d => !d.IsKeyedService).Select(d => d.ImplementationInstance).OfType<ConfigurationSectionRegistration>())
        {
            schema.Bind(section.SectionPath, section.OptionsType);
        }

        return schema;
    }

    /// <summary>Logs where the config came from and every edit the YAML parser rejected.</summary>
    internal sealed partial class ConfigFileWatcherLog(string path, IConfiguration configuration, ILogger<ConfigFileWatcherLog> logger) : IHostedService
    {
        private IDisposable? _registration;

        public Task StartAsync(CancellationToken cancellationToken)
        {
            LogLoaded(logger, path);
            if (configuration is IConfigurationRoot root && root.FindYamlSource() is { } source)
            {
                _registration = ChangeToken.OnChange(root.GetReloadToken, () =>
                {
                    if (source.LastError is { } error)
                    {
                        LogRejected(logger, path, error);
                    }
                });
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken)
        {
            _registration?.Dispose();
            return Task.CompletedTask;
        }

        [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Configuration loaded from {Path} (watched: edits apply to the next call)")]
        private static partial void LogLoaded(ILogger logger, string path);

        [LoggerMessage(EventId = 1011, Level = LogLevel.Error, Message = "Edit of {Path} rejected, the last good configuration stays in force: {Error}")]
        private static partial void LogRejected(ILogger logger, string path, string error);
    }
}
