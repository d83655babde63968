namespace AiAgent.Grains.Interfaces.Diagnostics;

/// <summary>
/// Every meter and activity-source name the platform defines, in one place. Each host exports the lists below, so a
/// meter added here (and to a list) reaches <c>/metrics</c> without another edit.
/// </summary>
public static class TelemetryNames
{
    /// <summary>The call grains' meter (<c>ai_agent_*</c> call metrics).</summary>
    public const string CallsMeter = "AiAgent.Calls";

    /// <summary>The AudioSocket gateway's meter (frames, pacing, platform-added latency).</summary>
    public const string GatewayMeter = "AiAgent.Gateway";

    /// <summary>The Deepgram Voice Agent provider's meter (connections, settings, faults).</summary>
    public const string DeepgramMeter = "AiAgent.Providers.Deepgram";

    /// <summary>The process's runtime figures of our own (each GC pause, its suspension and what it promoted: <c>ai_agent_runtime_gc_*</c>).</summary>
    public const string RuntimeMeter = "AiAgent.Runtime";

    /// <summary>Orleans' own meter (~130 instruments: messaging, grains, membership, streams).</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>The call grains' activity source: one activity per call, a child per turn.</summary>
    public const string CallsActivitySource = "AiAgent.Calls";

    /// <summary>What a silo exports: its grains' and providers' meters, the co-hosted gateway's, and Orleans'.</summary>
    public static readonly IReadOnlyList<string> SiloMeters = [CallsMeter, DeepgramMeter, GatewayMeter, OrleansMeter];

    /// <summary>What a standalone gateway exports.</summary>
    public static readonly IReadOnlyList<string> GatewayMeters = [GatewayMeter, OrleansMeter];

    /// <summary>The activity sources a silo traces.</summary>
    public static readonly IReadOnlyList<string> SiloActivitySources = [CallsActivitySource];
}
