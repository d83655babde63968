using AiAgent.Telemetry;

namespace AiAgent.Silo.Telemetry;

/// <summary>The silo's metrics and traces: call metrics, the co-hosted gateway's metrics, Orleans' own meter.</summary>
public static class SiloTelemetryExtensions
{
    /// <summary>The meters the silo exports. The gateway's meter is listed because the one-command run co-hosts it.</summary>
    public static readonly string[] Meters = [AgentTelemetry.CallsMeter, AgentTelemetry.GatewayMeter, AgentTelemetry.OrleansMeter];

    /// <summary>Registers metrics (Prometheus) and call tracing (OTLP when configured).</summary>
    public static WebApplicationBuilder AddSiloTelemetry(this WebApplicationBuilder builder)
    {
        builder.AddAgentTelemetry("aiagent-silo", Meters, [AgentTelemetry.CallsActivitySource]);
        return builder;
    }
}
