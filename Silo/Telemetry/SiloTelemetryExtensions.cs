using AiAgent.Grains.Interfaces.Diagnostics;
using AiAgent.Telemetry;

namespace AiAgent.Silo.Telemetry;

/// <summary>The silo's metrics and traces: call and provider metrics, the co-hosted gateway's metrics, Orleans' own meter.</summary>
public static class SiloTelemetryExtensions
{
    /// <summary>Registers metrics (Prometheus) and call tracing (OTLP when configured).</summary>
    public static WebApplicationBuilder AddSiloTelemetry(this WebApplicationBuilder builder)
    {
        builder.AddAgentTelemetry("aiagent-silo", TelemetryNames.SiloMeters, TelemetryNames.SiloActivitySources);
        return builder;
    }
}
