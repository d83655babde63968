using System.Globalization;
using System.Text.Json.Nodes;

namespace AiAgent.Emulators.OpenAIRealtime;

/// <summary>A fault the emulator may give one WebSocket upgrade (<c>--fault-mix drop,stall,429,401</c>).</summary>
public enum UpgradeFaultKind
{
    /// <summary><c>drop</c>: accept, then drop the TCP connection during the connection's first spoken response after <see cref="OpenAIRealtimeEmulatorOptions.DisconnectAfterDeltas"/> audio deltas.</summary>
    Drop,

    /// <summary><c>stall</c>: accept, then during the first spoken response send nothing (no events, no pongs) for <see cref="OpenAIRealtimeEmulatorOptions.StallMs"/>, then drop the connection.</summary>
    Stall,

    /// <summary><c>429</c>: HTTP 429 with the API's <c>rate_limit_exceeded</c> body at the upgrade.</summary>
    RateLimited,

    /// <summary><c>401</c>: HTTP 401 with the API's <c>invalid_api_key</c> body at the upgrade.</summary>
    Unauthorized,
}

/// <summary>The names of <see cref="UpgradeFaultKind"/> on the command line and in <c>/emulator/faults</c>.</summary>
public static class UpgradeFaultNames
{
    /// <summary>Every kind, in the order of the default mix.</summary>
    public static IReadOnlyList<UpgradeFaultKind> All { get; } = [UpgradeFaultKind.Drop, UpgradeFaultKind.Stall, UpgradeFaultKind.RateLimited, UpgradeFaultKind.Unauthorized];

    /// <summary>The wire name: <c>drop</c>, <c>stall</c>, <c>429</c>, <c>401</c>.</summary>
    public static string Name(UpgradeFaultKind kind) => kind switch
    {
        UpgradeFaultKind.Drop => "drop",
        UpgradeFaultKind.Stall => "stall",
        UpgradeFaultKind.RateLimited => "429",
        UpgradeFaultKind.Unauthorized => "401",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Parses a comma-separated mix such as <c>drop,stall,429,401</c>; a kind may repeat to weigh it more.</summary>
    public static IReadOnlyList<UpgradeFaultKind> ParseMix(string text)
    {
        var kinds = new List<UpgradeFaultKind>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kind = All.Where(k => Name(k) == part).Select(static k => (UpgradeFaultKind?)k).FirstOrDefault()
                ?? throw new ArgumentException($"unknown fault '{part}' in --fault-mix (use drop, stall, 429, 401)");
            kinds.Add(kind);
        }

        return kinds.Count > 0 ? kinds : throw new ArgumentException("--fault-mix names no fault (use drop, stall, 429, 401)");
    }
}

/// <summary>
/// Draws a fault per WebSocket upgrade (with probability <see cref="OpenAIRealtimeEmulatorOptions.FaultRatio"/>, the
/// kind uniformly from the mix) from one seeded <see cref="Random"/>, so the sequence of draws repeats with the seed;
/// and counts the faults that took effect. Thread-safe: upgrades arrive concurrently.
/// </summary>
internal sealed class UpgradeFaultInjector
{
    private readonly Lock _gate = new();
    private readonly Random _random;
    private readonly double _ratio;
    private readonly UpgradeFaultKind[] _mix;
    private readonly int[] _fired = new int[UpgradeFaultNames.All.Count];
    private int _upgrades;
    private int _drawn;

    public UpgradeFaultInjector(OpenAIRealtimeEmulatorOptions options)
    {
        if (options.FaultRatio is < 0 or > 1 || double.IsNaN(options.FaultRatio))
        {
            throw new ArgumentException($"fault ratio {options.FaultRatio.ToString(CultureInfo.InvariantCulture)} must be between 0 and 1");
        }

        if (options.FaultRatio > 0 && options.FaultMix.Count == 0)
        {
            throw new ArgumentException("a fault ratio above 0 needs at least one fault in the mix");
        }

        if (options.StallMs <= 0)
        {
            throw new ArgumentException($"stall time {options.StallMs} ms must be > 0");
        }

        _ratio = options.FaultRatio;
        _mix = [.. options.FaultMix];
        _random = options.FaultSeed is { } seed ? new Random(seed) : new Random();
    }

    /// <summary>One upgrade's draw: null for none (always with ratio 0, which leaves the random sequence untouched).</summary>
    public UpgradeFaultKind? Draw()
    {
        lock (_gate)
        {
            _upgrades++;
            if (_ratio <= 0 || _random.NextDouble() >= _ratio)
            {
                return null;
            }

            _drawn++;
            return _mix[_random.Next(_mix.Length)];
        }
    }

    /// <summary>A drawn fault took effect (an upgrade refused, a connection dropped, a stall begun).</summary>
    public void Fired(UpgradeFaultKind kind)
    {
        lock (_gate)
        {
            _fired[(int)kind]++;
        }
    }

    /// <summary>The counters now.</summary>
    public UpgradeFaultCounts Snapshot()
    {
        lock (_gate)
        {
            return new UpgradeFaultCounts(_upgrades, _drawn, _fired[(int)UpgradeFaultKind.Drop], _fired[(int)UpgradeFaultKind.Stall],
                _fired[(int)UpgradeFaultKind.RateLimited], _fired[(int)UpgradeFaultKind.Unauthorized]);
        }
    }
}

/// <summary>What <c>GET /emulator/faults</c> returns: upgrades seen and the faults that took effect, per kind.</summary>
/// <param name="Connections">WebSocket upgrades seen (each draws once; a reconnect is another upgrade).</param>
/// <param name="Drawn">Upgrades that drew a fault. A drop or stall drawn for a connection that never sent a spoken response did not take effect: <c>Drawn</c> minus the four counts.</param>
/// <param name="Drop">Connections dropped mid-response.</param>
/// <param name="Stall">Connections stalled mid-response.</param>
/// <param name="RateLimited">Upgrades refused with HTTP 429.</param>
/// <param name="Unauthorized">Upgrades refused with HTTP 401.</param>
public sealed record UpgradeFaultCounts(int Connections, int Drawn, int Drop, int Stall, int RateLimited, int Unauthorized)
{
    /// <summary>Drawn drops and stalls that never took effect (the connection had no spoken response).</summary>
    public int Unfired => Drawn - Drop - Stall - RateLimited - Unauthorized;

    /// <summary>The JSON body: <c>{"connections":N,"drawn":n,"unfired":u,"drop":a,"stall":b,"429":c,"401":d}</c>.</summary>
    public string ToJson() => new JsonObject
    {
        ["connections"] = Connections,
        ["drawn"] = Drawn,
        ["unfired"] = Unfired,
        ["drop"] = Drop,
        ["stall"] = Stall,
        ["429"] = RateLimited,
        ["401"] = Unauthorized,
    }.ToJsonString();
}
