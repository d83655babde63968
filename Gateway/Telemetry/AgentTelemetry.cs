using AiAgent.Grains.Interfaces.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AiAgent.Telemetry;

/// <summary>
/// OpenTelemetry wiring shared by every process of the platform: metrics from the named meters (their names are in
/// <see cref="AiAgent.Grains.Interfaces.Diagnostics.TelemetryNames"/>), exported in
/// Prometheus text format at <c>/metrics</c>, and traces from the named activity sources, exported over OTLP only when
/// <c>telemetry.otlp_endpoint</c> is set (off by default: no network needed).
/// </summary>
/// <remarks>
/// It lives in the gateway project because both hosts need it: the silo references the gateway (to co-host it),
/// while the gateway may reference nothing of ours but the contracts. It depends only on OpenTelemetry and
/// ASP.NET Core.
/// </remarks>
public static class AgentTelemetry
{
    /// <summary>The scrape path.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>
    /// Registers metrics from <paramref name="meters"/> (plus .NET runtime metrics unless
    /// <c>telemetry.runtime_metrics</c> is false) with the Prometheus exporter, and tracing from
    /// <paramref name="activitySources"/> when <c>telemetry.otlp_endpoint</c> is configured.
    /// </summary>
    /// <returns>The validated <c>telemetry</c> section.</returns>
    public static TelemetryOptions AddAgentTelemetry(this IHostApplicationBuilder builder, string serviceName, IReadOnlyList<string> meters, IReadOnlyList<string> activitySources)
    {
        var options = TelemetryOptions.Load(builder.Configuration);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter([.. meters]);
                if (options.RuntimeMetrics)
                {
                    metrics.AddRuntimeInstrumentation();
                    metrics.AddMeter(AiAgent.Grains.Interfaces.Diagnostics.TelemetryNames.RuntimeMeter);
                }

                metrics.AddPrometheusExporter();
            });

        if (options.RuntimeMetrics)
        {
            builder.Services.AddHostedService<GcPauseMonitor>();
        }

        if (options.OtlpEndpoint is { } endpoint)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource([.. activitySources])
                .AddOtlpExporter(o =>
                {
                    o.Endpoint = endpoint;
                    o.Protocol = options.OtlpProtocol == "http" ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
                }));
        }

        return options;
    }

    /// <summary>Maps the Prometheus scrape endpoint at <c>/metrics</c> (open: it carries no call ids or secrets).</summary>
    public static IEndpointConventionBuilder MapAgentMetrics(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPrometheusScrapingEndpoint(MetricsPath);
}

/// <summary><c>telemetry</c>: metrics and tracing export.</summary>
public sealed class TelemetryOptions
{
    /// <summary>Allowed values of <c>telemetry.otlp_protocol</c>.</summary>
    public static readonly string[] Protocols = ["grpc", "http"];

    /// <summary><c>telemetry.otlp_endpoint</c>: OTLP collector for traces (e.g. <c>http://otel-collector:4317</c>); unset = no trace export.</summary>
    [ConfigurationKeyName("otlp_endpoint")]
    public Uri? OtlpEndpoint { get; set; }

    /// <summary><c>telemetry.otlp_protocol</c>: <c>grpc</c> (port 4317) or <c>http</c> (protobuf over HTTP, port 4318).</summary>
    [ConfigurationKeyName("otlp_protocol")]
    public string OtlpProtocol { get; set; } = "grpc";

    /// <summary><c>telemetry.runtime_metrics</c>: also export .NET runtime metrics (GC, thread pool, exceptions).</summary>
    [ConfigurationKeyName("runtime_metrics")]
    public bool RuntimeMetrics { get; set; } = true;

    /// <summary>Binds the <c>telemetry</c> section; throws <see cref="InvalidOperationException"/> naming each bad key.</summary>
    public static TelemetryOptions Load(IConfiguration configuration)
    {
        var options = new TelemetryOptions();
        var section = configuration.GetSection("telemetry");
        var errors = new List<string>();
        try
        {
            section.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add($"telemetry: {ex.InnerException?.Message ?? ex.Message}");
        }

        if (options.OtlpEndpoint is { } endpoint && (!endpoint.IsAbsoluteUri || endpoint.Scheme is not ("http" or "https")))
        {
            errors.Add($"telemetry.otlp_endpoint: '{endpoint}' must be an absolute http:// or https:// URL");
        }

        if (!Protocols.Contains(options.OtlpProtocol, StringComparer.Ordinal))
        {
            errors.Add($"telemetry.otlp_protocol: '{options.OtlpProtocol}' is not valid; allowed values: {string.Join(", ", Protocols)}");
        }

        return errors.Count == 0
            ? options
            : throw new InvalidConfigurationException(errors);
    }
}
