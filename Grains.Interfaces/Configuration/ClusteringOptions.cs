using Microsoft.Extensions.Configuration;

namespace AiAgent.Grains.Interfaces.Configuration;

/// <summary>
/// <c>clustering</c>: how silos find each other and clients (standalone gateways) find silos. One class for both
/// hosts, so they read the section with the same defaults and the same case rules (<see cref="ClusteringOptionsValidator"/>).
/// </summary>
public sealed class ClusteringOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "clustering";

    /// <summary>Allowed values of <c>clustering.mode</c>, compared ignoring case.</summary>
    public static readonly IReadOnlyList<string> Modes = ["localhost", "redis", "kubernetes"];

    /// <summary>
    /// <c>clustering.mode</c>: <c>localhost</c> (one machine, no dependencies), <c>redis</c>, or <c>kubernetes</c>
    /// (Redis membership plus pod hosting for silos; for a client it means Redis clustering).
    /// </summary>
    public string Mode { get; set; } = "localhost";

    /// <summary>True when membership lives in Redis (<c>redis</c> or <c>kubernetes</c>).</summary>
    public bool UsesRedis => !IsMode("localhost");

    /// <summary>True when silos add Orleans Kubernetes hosting (<c>kubernetes</c>).</summary>
    public bool UsesKubernetesHosting => IsMode("kubernetes");

    /// <summary><c>clustering.redis</c>: StackExchange.Redis configuration string when <see cref="UsesRedis"/>.</summary>
    public string Redis { get; set; } = "localhost:6379";

    /// <summary><c>clustering.cluster_id</c>: the same for every silo and client of one cluster.</summary>
    [ConfigurationKeyName("cluster_id")]
    public string ClusterId { get; set; } = "aiagent";

    /// <summary><c>clustering.service_id</c>: the same for every silo and client of one cluster.</summary>
    [ConfigurationKeyName("service_id")]
    public string ServiceId { get; set; } = "aiagent";

    /// <summary><c>clustering.silo_port</c>: silo-to-silo port.</summary>
    [ConfigurationKeyName("silo_port")]
    public int SiloPort { get; set; } = 11111;

    /// <summary><c>clustering.gateway_port</c>: the silo's Orleans client gateway port (what standalone AudioSocket gateways connect to).</summary>
    [ConfigurationKeyName("gateway_port")]
    public int GatewayPort { get; set; } = 30000;

    private bool IsMode(string mode) => string.Equals(Mode, mode, StringComparison.OrdinalIgnoreCase);
}
