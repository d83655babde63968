using System.Globalization;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Cli;

/// <summary>Parses the command line; every error names the option.</summary>
public static class CommandLine
{
    /// <summary>The help text.</summary>
    public const string Usage = """
        AiAgent.CallSim: plays Asterisk's side of AudioSocket calls (see docs/callsim.md).

        usage: dotnet run --project tools/CallSim -- [options]

          --wav PATH              caller speech, any WAV (PCM 8/16/24/32-bit or float, any rate, mono or more);
                                  default: assets/hello.wav beside the binary
          --out PATH              write the received agent audio as a WAV in the call format (first call only)
          --host HOST             gateway host (default 127.0.0.1)
          --port PORT             gateway port (default 8090)
          --uuid GUID             call UUID (default: a new one; single call only)
          --format NAME           slin (default, 0x10, 320 B), slin12, slin16 (0x12, 640 B), slin24, slin32,
                                  slin44, slin48, slin96, slin192; ulaw, alaw (G.711 bytes labelled 0x10, 160 B,
                                  as a c(ulaw)/c(alaw) channel sends them; replies expected as slin 8 kHz)
          --label-legacy          label every audio frame 0x10 whatever the rate (Asterisk before 20.17)
          --leading-silence SEC   silence before the speech (default 0.5)
          --tail SEC              silence streamed after the speech while the reply arrives (default 8)
          --dtmf LIST             DTMF digits at times from the start of streaming, e.g. "1@2.5,#@4"
          --silent-gaps           send no frame while the caller is silent (silence suppression / DTX): the
                                  leading silence, the tail and speech frames below -50 dBFS are withheld
          --send-hangup-frame     send 00 00 00 before closing (Asterisk never does; EOF is its hangup)
          --cycles N              talk in cycles: speak, stay silent until the agent's reply has finished, pause,
                                  again, N times; per turn: end of speech -> first agent speech, the longest wait
                                  for an answer, playout gaps, dropped or not (--tail does not apply)
          --duration SEC          talk in cycles until SEC have passed (with --cycles: whichever ends first)
          --reply-timeout SEC     a turn with no agent speech within SEC is unanswered: the call is dropped (default 5)
          --reply-quiet SEC       the reply has finished after SEC without agent speech (default 1)
          --cycle-pause SEC       pause between the reply's end and the next turn (default 0.5)
          --greeting-wait SEC     before the first turn, wait up to SEC for a greeting to start (default 3)
          --calls N               run N concurrent calls from one shared pacer, print aggregate figures
          --ramp SEC              spread call starts over SEC (default 0.005 x N)
          --connect-timeout SEC   TCP connect timeout (default 2, as Asterisk)
          --close-wait SEC        after our hangup, how long the server may take to close (default 2; 0 = close
                                  at once without checking)
          --metrics URL           the platform's /metrics (e.g. http://127.0.0.1:8080/metrics): scraped before and
                                  after the run to print its platform-added and turn latency for these calls
          --arrival all|steady    all (default): every call starts over --ramp and lives its whole plan; steady: a
                                  call centre's traffic, Poisson arrivals at N / hold per second, each call talking
                                  in cycles for a log-normal length (mean --hold, sigma 0.6, clamped to hold/5 ..
                                  hold x 4), so N calls are live on average
          --hold SEC              steady: mean call length (default 60)
          --run SEC               steady: how long calls keep arriving (default 120); calls still up are hung up at
                                  run + 4 x hold
          --seed N                steady: seed of the draw (default: a random one, reported)
          --platform-pid PID      the platform's process: its CPU time (before/after) and RSS (after) are reported,
                                  with its CPU % of a core per live call; RSS, threads and open handles are sampled
                                  through the run, each with its drift per 10 minutes (a soak's check)
          --sample-seconds SEC    how often --platform-pid is sampled through the run (default 10)
          --json-out PATH         also write the JSON summary to PATH
          --markdown PATH         write a Markdown summary (figures, command line, machine) to PATH
          --find-max              from --calls N (default 100), run steps of N, N x 1.25 ... until one fails the bar
                                  (reply gap p99 > 25 ms, a late frame, a failed call, a frame the platform dropped),
                                  (a failing start steps down N / 1.25 until one holds), bisect once, report the
                                  largest N that held; stops if the generator was the limit
          --step-seconds SEC      find-max: each step's length (default 30)
          --max-calls N           find-max: the largest N tried (default 2000)
          --json                  print the summary as one JSON object
          --dialplan FILE         run one call through a dialplan instead (see --dialplan --help, docs/callsim.md)
          --help                  this text

        exit code: 0 every call passed; 1 a call failed (violation, wrong-size or mislabelled frame, connect
        failure, server stopped reading or left its socket open, a conversation dropped); 2 bad command line or input file.
        """;

    /// <summary>Parses <paramref name="args"/>; null when --help was asked for.</summary>
    /// <exception cref="FormatException">A bad or missing value, naming the option.</exception>
    public static CliOptions? Parse(IReadOnlyList<string> args, string defaultWav)
    {
        var options = new CliOptions { Wav = defaultWav };
        var given = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value()
            {
                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new FormatException($"{name} needs a value");
                }

                return args[++i];
            }

            given.Add(name);

            options = name switch
            {
                "--help" or "-h" => null,
                "--wav" => options with { Wav = Value() },
                "--out" => options with { Out = Value() },
                "--host" => options with { Host = Value() },
                "--port" => options with { Port = Int(name, Value(), 1, 65535) },
                "--uuid" => options with { Uuid = Guid.TryParse(Value(), out var uuid) ? uuid : throw new FormatException($"{name}: not a UUID") },
                "--format" => options with { Format = Format(name, Value()) },
                "--label-legacy" => options with { LabelLegacy = true },
                "--leading-silence" => options with { LeadingSilence = Seconds(name, Value()) },
                "--tail" => options with { Tail = Seconds(name, Value()) },
                "--dtmf" => options with { Dtmf = Dtmf(name, Value()) },
                "--send-hangup-frame" => options with { SendHangupFrame = true },
                "--silent-gaps" => options with { SilentGaps = true },
                "--cycles" => options with { Cycles = Int(name, Value(), 1, 1_000_000) },
                "--duration" => options with { Duration = Positive(name, Seconds(name, Value())) },
                "--reply-timeout" => options with { ReplyTimeout = Positive(name, Seconds(name, Value())) },
                "--reply-quiet" => options with { ReplyQuiet = Positive(name, Seconds(name, Value())) },
                "--cycle-pause" => options with { CyclePause = Seconds(name, Value()) },
                "--greeting-wait" => options with { GreetingWait = Seconds(name, Value()) },
                "--calls" => options with { Calls = Int(name, Value(), 1, 100_000) },
                "--ramp" => options with { Ramp = Seconds(name, Value()) },
                "--connect-timeout" => options with { ConnectTimeout = Seconds(name, Value()) },
                "--close-wait" => options with { CloseWait = Seconds(name, Value()) },
                "--json" => options with { Json = true },
                "--arrival" => options with { Arrival = Arrival(name, Value()) },
                "--hold" => options with { Hold = Positive(name, Seconds(name, Value())) },
                "--run" => options with { Run = Positive(name, Seconds(name, Value())) },
                "--seed" => options with { Seed = Int(name, Value(), 0, int.MaxValue) },
                "--platform-pid" => options with { PlatformPid = Int(name, Value(), 1, int.MaxValue) },
                "--sample-seconds" => options with { SampleInterval = Positive(name, Seconds(name, Value())) },
                "--json-out" => options with { JsonOut = Value() },
                "--markdown" => options with { Markdown = Value() },
                "--find-max" => options with { FindMax = true },
                "--step-seconds" => options with { StepLength = Positive(name, Seconds(name, Value())) },
                "--max-calls" => options with { MaxCalls = Int(name, Value(), 1, 100_000) },
                "--metrics" => options with
                {
                    MetricsUrl = Uri.TryCreate(Value(), UriKind.Absolute, out var metrics) && metrics.Scheme is "http" or "https"
                        ? metrics
                        : throw new FormatException($"{name}: not an http(s) URL"),
                },
                _ => throw new FormatException($"unknown option '{name}' (see --help)"),
            };
            if (options is null)
            {
                return null;
            }
        }

        if (options.Uuid is not null && (options.Calls > 1 || options.Arrival == ArrivalMode.Steady || options.FindMax))
        {
            throw new FormatException("--uuid names one call; it cannot be combined with --calls > 1, --arrival steady or --find-max");
        }

        CheckCombinations(options, given);
        if (options.FindMax && !given.Contains("--calls"))
        {
            options = options with { Calls = 100 };
        }

        if (options.FindMax && options.MaxCalls < options.Calls)
        {
            throw new FormatException($"--max-calls {options.MaxCalls} is below --calls {options.Calls}");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero)
        {
            throw new FormatException("--connect-timeout must be > 0");
        }

        return options;
    }

    /// <summary>Options that only mean something with another one, or contradict it.</summary>
    private static void CheckCombinations(CliOptions options, HashSet<string> given)
    {
        var steady = options.Arrival == ArrivalMode.Steady;
        foreach (var option in new[] { "--hold", "--run", "--seed" })
        {
            if (given.Contains(option) && !steady)
            {
                throw new FormatException($"{option} applies only with --arrival steady");
            }
        }

        if (steady && given.Contains("--ramp"))
        {
            throw new FormatException("--ramp does not apply with --arrival steady (calls arrive as a Poisson process)");
        }

        if (steady && given.Contains("--duration"))
        {
            throw new FormatException("--duration does not apply with --arrival steady (each call lasts its drawn --hold)");
        }

        foreach (var option in new[] { "--step-seconds", "--max-calls" })
        {
            if (given.Contains(option) && !options.FindMax)
            {
                throw new FormatException($"{option} applies only with --find-max");
            }
        }

        if (options.FindMax && given.Contains("--duration"))
        {
            throw new FormatException("--duration does not apply with --find-max (each step lasts --step-seconds)");
        }

        if (options.FindMax && steady && given.Contains("--run"))
        {
            throw new FormatException("--run does not apply with --find-max (each step lasts --step-seconds)");
        }
    }

    private static ArrivalMode Arrival(string name, string text) => text switch
    {
        "all" => ArrivalMode.All,
        "steady" => ArrivalMode.Steady,
        _ => throw new FormatException($"{name}: '{text}' is not all or steady"),
    };

    private static int Int(string name, string text, int min, int max) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw new FormatException($"{name}: '{text}' is not a whole number from {min} to {max}");

    private static TimeSpan Seconds(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && value <= 86_400
            ? TimeSpan.FromSeconds(value)
            : throw new FormatException($"{name}: '{text}' is not a number of seconds from 0 to 86400");

    private static TimeSpan Positive(string name, TimeSpan value) =>
        value > TimeSpan.Zero ? value : throw new FormatException($"{name} must be > 0");

    private static CallFormat Format(string name, string text) =>
        CallFormat.TryParse(text, out var format)
            ? format
            : throw new FormatException(
                $"{name}: '{text}' is not one of {string.Join(", ", CallFormat.All.Select(static f => f.Name))}");

    private static IReadOnlyList<DtmfEvent> Dtmf(string name, string text)
    {
        try
        {
            return DtmfEvent.ParseList(text);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{name}: {ex.Message}", ex);
        }
    }
}
