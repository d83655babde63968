using AiAgent.Gateway.Configuration;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Interfaces.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using StackExchange.Redis;

namespace AiAgent.Gateway.Hosting;

/// <summary>What only the standalone gateway process needs: its config file, its Orleans client, its HTTP port.</summary>
public static class GatewayHostExtensions
{
    /// <summary>The config file looked for when neither <c>--config</c> nor <c>AIAGENT_CONFIG</c> names one.</summary>
    public const string DefaultConfigPath = "config/ai-agent.yaml";

    /// <summary>
    /// Adds <c>config/ai-agent.yaml</c> (from <c>--config</c>, <c>AIAGENT_CONFIG</c>, or the nearest
    /// <c>config/ai-agent.yaml</c> above the working or app directory), then environment variables and the
    /// command line again so they override single keys (e.g. <c>audiosocket__port=9000</c>).
    /// </summary>
    public static WebApplicationBuilder AddAiAgentConfigFile(this WebApplicationBuilder builder, string[] args)
    {
        var path = builder.Configuration["config"] ?? Environment.GetEnvironmentVariable("AIAGENT_CONFIG") ?? FindConfigFile()
            ?? throw new FileNotFoundException($"{DefaultConfigPath} not found above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}; pass --config <path> or set AIAGENT_CONFIG");
        builder.Configuration.AddYamlFile(path, optional: false, reloadOnChange: false);
        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddCommandLine(args);
        return builder;
    }

    /// <summary>
    /// Makes this process an Orleans client of the silos: localhost clustering by default, Redis clustering when
    /// <c>clustering.mode</c> is <c>redis</c>; memory streams under <see cref="CallStreams.ProviderName"/> like the silo.
    /// </summary>
    public static WebApplicationBuilder AddGatewayOrleansClient(this WebApplicationBuilder builder)
    {
        var clustering = builder.Configuration.GetSection(ClusteringOptions.SectionName).Get<ClusteringOptions>() ?? new ClusteringOptions();
        var result = new ClusteringOptionsValidator().Validate(null, clustering);
        if (result.Failed)
        {
            throw new OptionsValidationException(ClusteringOptions.SectionName, typeof(ClusteringOptions), result.Failures);
        }

        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clustering.ClusterId;
                o.ServiceId = clustering.ServiceId;
            });
            if (clustering.UsesRedis)
            {
                client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(clustering.Redis!));
            }
            else
            {
                client.UseLocalhostClustering(clustering.GatewayPort, clustering.ServiceId, clustering.ClusterId);
            }

            client.AddMemoryStreams(CallStreams.ProviderName);
        });
        return builder;
    }

    /// <summary>Listens for HTTP (health) on <c>gateway.http_port</c> beside the AudioSocket port.</summary>
    public static WebApplicationBuilder AddGatewayHttp(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<GatewayInstanceOptions>>(static (kestrel, gateway) => kestrel.ListenAnyIP(gateway.Value.HttpPort));
        return builder;
    }

    /// <summary>Maps <c>/health/live</c> (the process answers) and <c>/health/ready</c> (it can take calls).</summary>
    public static WebApplication MapGatewayHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = static _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = static check => check.Tags.Contains(AudioSocketGatewayExtensions.ReadyTag) });
        return app;
    }

    private static string? FindConfigFile()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, DefaultConfigPath);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
