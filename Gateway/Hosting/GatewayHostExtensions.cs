using AiAgent.Gateway.Configuration;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Interfaces.Configuration;
using Microsoft.AspNetCore.Builder;
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
    /// <summary>How often the Orleans client re-reads the silos' gateway list from Redis membership.</summary>
    private static readonly TimeSpan GatewayListRefreshPeriod = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Adds <c>config/ai-agent.yaml</c> the way every process of the platform does (<see cref="AgentConfigFile"/>:
    /// <c>--config</c>, <c>AIAGENT_CONFIG</c>, or the nearest <c>config/ai-agent.yaml</c>; <c>AIAGENT_</c> environment
    /// variables and every <c>--key=value</c>, <c>--section:key=value</c> or <c>--key value</c> argument override single
    /// keys; an unusable argument throws <see cref="InvalidDataException"/> naming it). Read once: the gateway's sections
    /// are hosting settings.
    /// </summary>
    public static WebApplicationBuilder AddAiAgentConfigFile(this WebApplicationBuilder builder, string[] args)
    {
        builder.Configuration.AddAgentConfigFile(args, reloadOnChange: false);
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
                client.UseRedisClustering(o => o.ConfigurationOptions = ConfigurationOptions.Parse(clustering.Redis));

                // Learn new silos within seconds, not the default minute: in a rolling restart the silos the client
                // knows go away one by one, and with only those left it routes calls to a stopping silo.
                client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = GatewayListRefreshPeriod);
            }
            else
            {
                client.UseLocalhostClustering(clustering.GatewayPort, clustering.ServiceId, clustering.ClusterId);
            }

            // The gateway only subscribes; partitioning mirrors the silo's (streams.queues) so it could also publish.
            var queues = builder.Configuration.GetValue("streams:queues", 8);
            client.AddMemoryStreams(CallStreams.ProviderName, streams => streams.ConfigurePartitioning(queues));
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

    /// <summary>Maps <c>/health/live</c> (the process answers) and <c>/health/ready</c> (it can take calls), as every host does (<see cref="AgentHostDefaults"/>).</summary>
    public static WebApplication MapGatewayHealth(this WebApplication app) => app.MapAgentHealthEndpoints();
}
