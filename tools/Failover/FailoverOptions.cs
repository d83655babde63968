using System.Globalization;
using AiAgent.Failover.Ari;
using AiAgent.Failover.Scenarios;

namespace AiAgent.Failover;

/// <summary>The harness's command line, parsed and checked.</summary>
internal sealed record FailoverOptions
{
    /// <summary>The help text.</summary>
    public const string Usage = """
        AiAgent.Failover: Redis, silos and a gateway as processes, calls talking in cycles, then a silo lost,
        stopped or rolled (or Redis restarted) mid-call; reports what every caller heard (docs/performance.md,
        "Failover harness").

        usage: dotnet run -c Release --project tools/Failover -- --scenario NAME [options]

          --scenario NAME     kill (SIGKILL the silo hosting the most calls), term (SIGTERM it), rolling (SIGTERM and
                              restart every silo in turn, each ready before the next), redis-restart;
                              with --gateways 2 or more: gateway-drain (SIGTERM the gateway carrying the most calls),
                              gateway-kill (SIGKILL it), gateway-rolling (every gateway in turn), rolling-all (every
                              silo, then every gateway); in ARI mode the gateway scenarios only
          --asterisk MODE     dialplan (default: CallSim connects to the gateway) or ari (the harness hosts the ARI
                              emulator as the Asterisk; the silos drive the calls over ARI; needs --gateways 2 or more)
          --gateways N        standalone gateways, each its own process (default 1); in dialplan mode with 2 or more
                              every call runs the reconnect loop of docs/asterisk.md, the gateway address listing the
                              gateways in order (a connection goes to the first that accepts)
          --calls N           concurrent calls (default 8)
          --silos N           silos, 2 or more (default 2)
          --at SEC            the event comes SEC after the first call starts (default 30: every call has had a
                              turn answered, and the ramp puts the calls at different points of their cycle)
          --after SEC         the calls go on SEC after the event is over, then end after their current reply (default 30)
          --runs K            repeat on a fresh cluster K times and give the spread (default 1)
          --min-ready SEC     rolling: a restarted silo serves SEC after it is ready before the next one stops
                              (default 10, k8s/silo.yaml's minReadySeconds; 0 stops the next one at once)
          --reply-timeout SEC a turn with no agent speech within SEC is unanswered: the call is dropped (default 5)
          --ramp SEC          spread the call starts over SEC (default 1 s per call, at most 10 s: one cycle)
          --wav PATH          the caller's speech (default tools/CallSim/assets/hello.wav)
          --out DIR           reports and child-process logs (default artifacts/failover/<UTC time>-<scenario>)
          --silo-arg K=V      pass --K=V to every silo (repeatable), e.g. --silo-arg streams:pull_period_ms=5
          --gateway-arg K=V   pass --K=V to the gateway (repeatable)
          --repo DIR          the checkout (default: found above this binary or the current directory)
          --no-build          use the Release builds of Silo and Gateway as they are
          --help              this text

        exit code: 0 no call dropped in any run; 1 a call dropped; 2 bad command line; 3 a run could not be set up.
        """;

    /// <summary>The scenario.</summary>
    public Scenario Scenario { get; init; }

    /// <summary>How the harness plays Asterisk.</summary>
    public AsteriskMode Asterisk { get; init; } = AsteriskMode.Dialplan;

    /// <summary>Standalone gateways per run.</summary>
    public int Gateways { get; init; } = 1;

    /// <summary>Calls per run.</summary>
    public int Calls { get; init; } = 8;

    /// <summary>Silos per run.</summary>
    public int Silos { get; init; } = 2;

    /// <summary>The event's time after the calls start.</summary>
    public TimeSpan At { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the calls go on after the event.</summary>
    public TimeSpan After { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Runs.</summary>
    public int Runs { get; init; } = 1;

    /// <summary>Rolling: how long a restarted silo serves before the next one stops (a Deployment's <c>minReadySeconds</c>).</summary>
    public TimeSpan MinReady { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>CallSim's reply timeout.</summary>
    public TimeSpan ReplyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Spread of the call starts; null for 1 s per call, at most 10 s.</summary>
    public TimeSpan? Ramp { get; init; }

    /// <summary>The caller's speech; null for the shipped asset.</summary>
    public string? Wav { get; init; }

    /// <summary>The output folder; null for the default.</summary>
    public string? Out { get; init; }

    /// <summary>Extra silo arguments (<c>--K=V</c>).</summary>
    public IReadOnlyList<string> SiloArguments { get; init; } = [];

    /// <summary>Extra gateway arguments (<c>--K=V</c>).</summary>
    public IReadOnlyList<string> GatewayArguments { get; init; } = [];

    /// <summary>The checkout; null to find it.</summary>
    public string? Repository { get; init; }

    /// <summary>Build Silo and Gateway (Release) first.</summary>
    public bool Build { get; init; } = true;

    /// <summary>The ramp used.</summary>
    public TimeSpan EffectiveRamp => Ramp ?? TimeSpan.FromSeconds(Math.Min(Calls, 10));

    /// <summary>Parses the arguments; null for --help.</summary>
    /// <exception cref="FormatException">A bad or missing value, naming the option.</exception>
    public static FailoverOptions? Parse(IReadOnlyList<string> args)
    {
        var options = new FailoverOptions();
        Scenario? scenario = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
                ? args[++i]
                : throw new FormatException($"{name} needs a value");

            switch (name)
            {
                case "--help" or "-h":
                    return null;
                case "--scenario":
                    var text = Value();
                    scenario = ScenarioNames.TryParse(text, out var parsed)
                        ? parsed
                        : throw new FormatException($"--scenario: '{text}' is not one of {string.Join(", ", ScenarioNames.All)}");
                    break;
                case "--asterisk":
                    var mode = Value();
                    options = options with
                    {
                        Asterisk = AsteriskModeNames.TryParse(mode, out var parsedMode)
                            ? parsedMode
                            : throw new FormatException($"--asterisk: '{mode}' is not dialplan or ari"),
                    };
                    break;
                case "--gateways":
                    options = options with { Gateways = Int(name, Value(), 1, 10) };
                    break;
                case "--calls":
                    options = options with { Calls = Int(name, Value(), 1, 1_000) };
                    break;
                case "--silos":
                    options = options with { Silos = Int(name, Value(), 2, 10) };
                    break;
                case "--at":
                    options = options with { At = Seconds(name, Value()) };
                    break;
                case "--after":
                    options = options with { After = Seconds(name, Value()) };
                    break;
                case "--runs":
                    options = options with { Runs = Int(name, Value(), 1, 100) };
                    break;
                case "--min-ready":
                    options = options with { MinReady = Seconds(name, Value()) };
                    break;
                case "--reply-timeout":
                    options = options with { ReplyTimeout = Seconds(name, Value()) };
                    break;
                case "--ramp":
                    options = options with { Ramp = Seconds(name, Value()) };
                    break;
                case "--wav":
                    options = options with { Wav = Value() };
                    break;
                case "--out":
                    options = options with { Out = Value() };
                    break;
                case "--silo-arg":
                    options = options with { SiloArguments = [.. options.SiloArguments, Override(name, Value())] };
                    break;
                case "--gateway-arg":
                    options = options with { GatewayArguments = [.. options.GatewayArguments, Override(name, Value())] };
                    break;
                case "--repo":
                    options = options with { Repository = Value() };
                    break;
                case "--no-build":
                    options = options with { Build = false };
                    break;
                default:
                    throw new FormatException($"unknown option '{name}' (see --help)");
            }
        }

        if (scenario is null)
        {
            throw new FormatException($"--scenario is required: {string.Join(", ", ScenarioNames.All)}");
        }

        if (options.ReplyTimeout <= TimeSpan.Zero)
        {
            throw new FormatException("--reply-timeout must be > 0");
        }

        CheckAsteriskMode(options.Asterisk, scenario.Value, options.Gateways);
        return options with { Scenario = scenario.Value };
    }

    /// <summary>
    /// A scenario that takes a gateway away needs another for the calls to move to; ARI mode measures exactly that (its
    /// silos' scenarios are the dialplan mode's).
    /// </summary>
    private static void CheckAsteriskMode(AsteriskMode mode, Scenario scenario, int gateways)
    {
        if (mode == AsteriskMode.Ari && (!scenario.TakesGateways() || scenario == Scenario.RollingAll))
        {
            throw new FormatException($"--asterisk ari runs gateway-drain, gateway-kill and gateway-rolling, not {scenario.Name()}");
        }

        if (mode == AsteriskMode.Ari && gateways < 2)
        {
            throw new FormatException("--asterisk ari needs --gateways 2 or more: a lost gateway's calls move to another");
        }

        if (scenario.TakesGateways() && gateways < 2)
        {
            throw new FormatException($"{scenario.Name()} needs --gateways 2 or more: the calls of a gateway that goes move to another");
        }
    }

    private static int Int(string name, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new FormatException($"{name}: '{text}' is not a whole number from {min} to {max}");

    private static TimeSpan Seconds(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && value <= 3_600
            ? TimeSpan.FromSeconds(value)
            : throw new FormatException($"{name}: '{text}' is not a number of seconds from 0 to 3600");

    private static string Override(string name, string text) =>
        text.IndexOf('=', StringComparison.Ordinal) > 0 ? "--" + text : throw new FormatException($"{name}: '{text}' is not KEY=VALUE");
}
