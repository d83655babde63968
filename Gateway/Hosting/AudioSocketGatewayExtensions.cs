using System.Net;
using AiAgent.Gateway.AudioSocket;
using AiAgent.Gateway.Configuration;
using AiAgent.Gateway.Diagnostics;
using AiAgent.Gateway.Playout;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AiAgent.Gateway.Hosting;

/// <summary>Adds the AudioSocket gateway to a host: the standalone gateway and the silo (co-hosted) both call it.</summary>
public static class AudioSocketGatewayExtensions
{
    /// <summary>Health check tag of readiness checks (<c>/health/ready</c>).</summary>
    public const string ReadyTag = AgentHostDefaults.ReadyTag;

    /// <summary>
    /// Registers the validated <c>audiosocket</c> and <c>gateway</c> options, the connection handler, the shared
    /// playout pacer, the metrics and a Kestrel listener on <c>audiosocket.host:port</c>. Needs an
    /// <see cref="IClusterClient"/> (a co-hosted silo provides one; a standalone gateway calls
    /// <c>UseOrleansClient</c>) and Kestrel (a <c>WebApplicationBuilder</c>).
    /// </summary>
    /// <remarks>Explicit Kestrel listeners make ASP.NET ignore <c>--urls</c>: the host adds its HTTP listener itself.</remarks>
    public static TBuilder AddAudioSocketGateway<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<AudioSocketOptions>().Bind(builder.Configuration.GetSection(AudioSocketOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AudioSocketOptions>, AudioSocketOptionsValidator>());
        services.AddOptionsWithValidateOnStart<GatewayInstanceOptions>().Bind(builder.Configuration.GetSection(GatewayInstanceOptions.SectionName));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayInstanceOptions>, GatewayInstanceOptionsValidator>());

        services.AddMetrics();
        services.TryAddSingleton<GatewayMetrics>();
        services.TryAddSingleton<PlayoutPacer>();
        services.AddHostedService(static sp => sp.GetRequiredService<PlayoutPacer>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AudioSocketSessionContext>();
        services.TryAddSingleton<AudioSocketConnectionHandler>();
        services.TryAddSingleton<AudioSocketListener>();
        services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<AudioSocketOptions>, AudioSocketListener>(static (kestrel, options, listener) => listener.Listen(kestrel, options.Value));
        services.AddHealthChecks().AddCheck<AudioSocketReadyCheck>("audiosocket", tags: [ReadyTag]);
        return builder;
    }
}

/// <summary>The AudioSocket endpoint Kestrel listens on; after start-up it holds the bound port (tests listen on port 0).</summary>
public sealed class AudioSocketListener
{
    private ListenOptions? _listenOptions;

    /// <summary>The endpoint as bound (the real port once Kestrel has started).</summary>
    public IPEndPoint? EndPoint => _listenOptions?.IPEndPoint;

    internal void Listen(KestrelServerOptions kestrel, AudioSocketOptions options)
    {
        Action<ListenOptions> configure = listen =>
        {
            listen.UseConnectionHandler<AudioSocketConnectionHandler>();
            _listenOptions = listen;
        };

        if (options.Host is "*")
        {
            kestrel.ListenAnyIP(options.Port, configure);
        }
        else if (string.Equals(options.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            kestrel.ListenLocalhost(options.Port, configure);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(options.Host), options.Port, configure);
        }
    }
}

/// <summary>Ready when the pacer runs and the host is not stopping.</summary>
internal sealed class AudioSocketReadyCheck(PlayoutPacer pacer, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("shutting down")
            : pacer.IsRunning ? HealthCheckResult.Healthy($"{pacer.CallCount} calls")
            : HealthCheckResult.Unhealthy("playout pacer not running"));
}
