using AiAgent.Telemetry;
using Microsoft.AspNetCore.Builder;
using System.Text;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiAgent.Gateway.Hosting;

/// <summary>
/// The wiring every host of the platform shares, in the manner of eShop's ServiceDefaults: telemetry (Prometheus
/// <c>/metrics</c>, OTLP traces when configured) and the two health endpoints. The silo and the standalone gateway
/// each call <see cref="AddAgentHostDefaults"/> and <see cref="MapAgentDefaultEndpoints"/>; each adds its own
/// readiness checks tagged <see cref="ReadyTag"/>. It lives here because the silo references the gateway and the
/// gateway may reference nothing of ours but the contracts.
/// </summary>
public static class AgentHostDefaults
{
    /// <summary>Health check tag of readiness checks (<c>/health/ready</c>).</summary>
    public const string ReadyTag = "ready";

    /// <summary>Liveness: the process answers (no check runs).</summary>
    public const string LivePath = "/health/live";

    /// <summary>Readiness: every check tagged <see cref="ReadyTag"/> passes.</summary>
    public const string ReadyPath = "/health/ready";

    /// <summary>Registers telemetry for <paramref name="meters"/> and <paramref name="activitySources"/> and the health-check service.</summary>
    /// <returns>The validated <c>telemetry</c> section.</returns>
    public static TelemetryOptions AddAgentHostDefaults(this IHostApplicationBuilder builder, string serviceName, IReadOnlyList<string> meters, IReadOnlyList<string> activitySources)
    {
        builder.Services.AddHealthChecks();
        return builder.AddAgentTelemetry(serviceName, meters, activitySources);
    }

    /// <summary>Maps <see cref="LivePath"/>, <see cref="ReadyPath"/> and <c>/metrics</c>.</summary>
    public static WebApplication MapAgentDefaultEndpoints(this WebApplication app)
    {
        app.MapAgentHealthEndpoints();
        app.MapAgentMetrics();
        return app;
    }

    /// <summary>Maps <see cref="LivePath"/> and <see cref="ReadyPath"/>.</summary>
    public static WebApplication MapAgentHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = static _ => false });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = static check => check.Tags.Contains(ReadyTag), ResponseWriter = WriteReadinessAsync });
        return app;
    }

    /// <summary>
    /// The overall status on the first line (exactly <c>Healthy</c> when all is well, as the default writer), then one
    /// line per check that is not healthy, so a Degraded answer says what is degraded.
    /// </summary>
    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        var text = new StringBuilder(report.Status.ToString());
        foreach (var (name, entry) in report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy))
        {
            text.Append('\n').Append(name).Append(": ").Append(entry.Status).Append(": ").Append(entry.Description);
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text.ToString());
    }
}
