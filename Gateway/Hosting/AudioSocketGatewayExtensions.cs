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
    /// playout pacer, the metrics, the <see cref="GatewayDrain"/> and the <see cref="AudioSocketListener"/> on
    /// <c>audiosocket.host:port</c> (Kestrel's socket transport, not a Kestrel endpoint). Needs an
    /// <see cref="IClusterClient"/> (a co-hosted silo provides one; a standalone gateway calls
    /// <c>UseOrleansClient</c>) and Kestrel (a <c>WebApplicationBuilder</c>), whose own endpoints serve HTTP only.
    /// </summary>
    /// <remarks>Raises the host's shutdown timeout to <c>gateway.drain_timeout_seconds</c> plus <see cref="GatewayInstanceOptions.DrainStopMargin"/> when it is shorter.</remarks>
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
        services.TryAddSingleton<GatewayDrain>();
        services.AddHostedService(static sp => sp.GetRequiredService<GatewayDrain>());
        services.TryAddSingleton<AudioSocketListener>();
        services.AddHostedService(static sp => sp.GetRequiredService<AudioSocketListener>());

        // The host's stop must outlast the drain (the stop runs the drain first, then the other services).
        services.AddOptions<HostOptions>().PostConfigure<IOptions<GatewayInstanceOptions>>(static (host, gateway) =>
        {
            var needed = gateway.Value.DrainTimeout + GatewayInstanceOptions.DrainStopMargin;
            if (host.ShutdownTimeout != Timeout.InfiniteTimeSpan && host.ShutdownTimeout < needed)
            {
                host.ShutdownTimeout = needed;
            }
        });
        services.AddHealthChecks().AddCheck<AudioSocketReadyCheck>("audiosocket", tags: [ReadyTag]);
        return builder;
    }
}

/// <summary>Ready when the pacer runs and the host is neither stopping nor draining.</summary>
internal sealed class AudioSocketReadyCheck(PlayoutPacer pacer, GatewayDrain drain, IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            drain.IsDraining ? HealthCheckResult.Unhealthy($"draining: {drain.CallCount} calls left")
            : lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("shutting down")
            : pacer.IsRunning ? HealthCheckResult.Healthy($"{pacer.CallCount} calls")
            : HealthCheckResult.Unhealthy("playout pacer not running"));
}
