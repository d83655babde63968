namespace AiAgent.Failover.Scenarios;

/// <summary>What happens to the platform in the middle of the calls.</summary>
internal enum Scenario
{
    /// <summary>SIGKILL the silo hosting the most calls: it dies at once, as when its node is lost.</summary>
    Kill,

    /// <summary>SIGTERM the silo hosting the most calls: a graceful stop, as Kubernetes asks for.</summary>
    Term,

    /// <summary>SIGTERM and restart every silo in turn, each ready again before the next goes: a rolling update.</summary>
    Rolling,

    /// <summary>Stop and restart redis-server (membership, call records and stream subscriptions live there).</summary>
    RedisRestart,

    /// <summary>SIGTERM the gateway carrying the most calls: it drains (each session ends at a quiet moment) and exits.</summary>
    GatewayDrain,

    /// <summary>SIGKILL the gateway carrying the most calls: its connections are reset.</summary>
    GatewayKill,

    /// <summary>SIGTERM and restart every gateway in turn, each ready again before the next goes: a gateway rollout.</summary>
    GatewayRolling,

    /// <summary>A rolling update of every silo, then of every gateway: the whole platform replaced under the calls.</summary>
    RollingAll,
}

/// <summary>The scenarios' names on the command line and in reports.</summary>
internal static class ScenarioNames
{
    private static readonly Dictionary<string, Scenario> s_byName = new(StringComparer.Ordinal)
    {
        ["kill"] = Scenario.Kill,
        ["term"] = Scenario.Term,
        ["rolling"] = Scenario.Rolling,
        ["redis-restart"] = Scenario.RedisRestart,
        ["gateway-drain"] = Scenario.GatewayDrain,
        ["gateway-kill"] = Scenario.GatewayKill,
        ["gateway-rolling"] = Scenario.GatewayRolling,
        ["rolling-all"] = Scenario.RollingAll,
    };

    /// <summary>All names, for help and errors.</summary>
    public static IEnumerable<string> All => s_byName.Keys;

    /// <summary>The scenario called <paramref name="name"/>.</summary>
    public static bool TryParse(string name, out Scenario scenario) => s_byName.TryGetValue(name, out scenario);

    /// <summary>The command-line name of <paramref name="scenario"/>.</summary>
    public static string Name(this Scenario scenario) => s_byName.First(p => p.Value == scenario).Key;

    /// <summary>Whether the scenario aims at one silo, chosen by the calls it hosts.</summary>
    public static bool TargetsOneSilo(this Scenario scenario) => scenario is Scenario.Kill or Scenario.Term;

    /// <summary>Whether the scenario aims at one gateway, chosen by the calls it carries.</summary>
    public static bool TargetsOneGateway(this Scenario scenario) => scenario is Scenario.GatewayDrain or Scenario.GatewayKill;

    /// <summary>Whether the scenario takes gateways away, so the calls need another gateway to move to.</summary>
    public static bool TakesGateways(this Scenario scenario) => scenario.TargetsOneGateway() || scenario is Scenario.GatewayRolling or Scenario.RollingAll;
}
