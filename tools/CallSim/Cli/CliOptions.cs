using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Cli;

/// <summary>The command line, parsed and checked.</summary>
public sealed record CliOptions
{
    /// <summary>The caller's speech.</summary>
    public required string Wav { get; init; }

    /// <summary>Where to write the received audio (the first call's, with --calls).</summary>
    public string? Out { get; init; }

    /// <summary>Gateway host.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>Gateway port.</summary>
    public int Port { get; init; } = 8090;

    /// <summary>Fixed call UUID (single call only).</summary>
    public Guid? Uuid { get; init; }

    /// <summary>Call format.</summary>
    public CallFormat Format { get; init; } = CallFormat.Slin;

    /// <summary>Label every frame 0x10.</summary>
    public bool LabelLegacy { get; init; }

    /// <summary>Silence before the speech.</summary>
    public TimeSpan LeadingSilence { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Silence after the speech.</summary>
    public TimeSpan Tail { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>DTMF digits to send.</summary>
    public IReadOnlyList<DtmfEvent> Dtmf { get; init; } = [];

    /// <summary>Withhold silent frames (silence suppression / DTX).</summary>
    public bool SilentGaps { get; init; }

    /// <summary>Send 00 00 00 before closing.</summary>
    public bool SendHangupFrame { get; init; }

    /// <summary>Print JSON instead of text.</summary>
    public bool Json { get; init; }

    /// <summary>Concurrent calls.</summary>
    public int Calls { get; init; } = 1;

    /// <summary>Spread of call starts.</summary>
    public TimeSpan? Ramp { get; init; }

    /// <summary>TCP connect timeout.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The platform's Prometheus endpoint, scraped before and after the run for its latency histograms.</summary>
    public Uri? MetricsUrl { get; init; }

    /// <summary>How calls arrive (<c>--arrival</c>).</summary>
    public ArrivalMode Arrival { get; init; } = ArrivalMode.All;

    /// <summary>Steady arrivals: the mean call length (<c>--hold</c>).</summary>
    public TimeSpan Hold { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Steady arrivals: how long calls keep arriving (<c>--run</c>).</summary>
    public TimeSpan Run { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Steady arrivals: the seed of the draw (<c>--seed</c>); null draws one (and reports it).</summary>
    public int? Seed { get; init; }

    /// <summary>The platform's process id (<c>--platform-pid</c>): its CPU time and RSS are read before and after the run, and sampled through it.</summary>
    public int? PlatformPid { get; init; }

    /// <summary>How often the platform's process is sampled through the run (<c>--sample-seconds</c>).</summary>
    public TimeSpan SampleInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Write the JSON summary to this file (<c>--json-out</c>).</summary>
    public string? JsonOut { get; init; }

    /// <summary>Write a Markdown summary to this file (<c>--markdown</c>).</summary>
    public string? Markdown { get; init; }

    /// <summary>Search for the largest N the platform holds (<c>--find-max</c>).</summary>
    public bool FindMax { get; init; }

    /// <summary>Find-max: each step's length (<c>--step-seconds</c>).</summary>
    public TimeSpan StepLength { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Find-max: no step above this N (<c>--max-calls</c>).</summary>
    public int MaxCalls { get; init; } = 2000;

    /// <summary>Wait for the server's close after our hangup.</summary>
    public TimeSpan CloseWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Talk in cycles: this many turns.</summary>
    public int? Cycles { get; init; }

    /// <summary>Talk in cycles: start no turn after this long.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>A turn unanswered this long is given up (the call is dropped).</summary>
    public TimeSpan ReplyTimeout { get; init; } = new ConversationSettings().ReplyTimeout;

    /// <summary>The reply has finished after this long without agent speech.</summary>
    public TimeSpan ReplyQuiet { get; init; } = new ConversationSettings().ReplyQuiet;

    /// <summary>Pause between a reply's end and the next turn.</summary>
    public TimeSpan CyclePause { get; init; } = new ConversationSettings().Pause;

    /// <summary>Longest wait for a greeting that has not started before the first turn.</summary>
    public TimeSpan GreetingWait { get; init; } = new ConversationSettings().GreetingWait;

    /// <summary>The conversation the calls hold, or null for classic calls.</summary>
    public ConversationSettings? Conversation => Cycles is null && Duration is null
        ? null
        : new ConversationSettings
        {
            Cycles = Cycles,
            Duration = Duration,
            ReplyTimeout = ReplyTimeout,
            ReplyQuiet = ReplyQuiet,
            Pause = CyclePause,
            GreetingWait = GreetingWait,
        };

    /// <summary>The ramp actually used: as given, else 5 ms per call (1,000 calls start over 5 s).</summary>
    public TimeSpan EffectiveRamp => RampFor(Calls);

    /// <summary>A single call's summary is printed (one call, all at once, no search); else the load summary.</summary>
    public bool SingleCall => Calls == 1 && Arrival == ArrivalMode.All && !FindMax;

    /// <summary>The ramp for <paramref name="calls"/> calls: as given, else 5 ms per call.</summary>
    public TimeSpan RampFor(int calls) => Ramp ?? TimeSpan.FromMilliseconds(calls <= 1 ? 0 : 5.0 * calls);

    /// <summary>Settings for each call (all at once, as <c>--calls</c> and <c>--ramp</c> say).</summary>
    public IReadOnlyList<CallSettings> ToCallSettings(CallAudio audio) => Plan(audio, Calls, null, 0).Calls;

    /// <summary>
    /// The calls of one run of <paramref name="calls"/> and when each starts. All at once: over the ramp, each with the
    /// configured plan (with <paramref name="length"/>, talking in cycles for that long). Steady: drawn from
    /// <paramref name="seed"/>, arriving for <paramref name="length"/> (else <see cref="Run"/>), each talking in
    /// cycles until its drawn hold.
    /// </summary>
    public RunPlan Plan(CallAudio audio, int calls, TimeSpan? length, int seed)
    {
        var conversation = Conversation;
        if (Arrival == ArrivalMode.Steady)
        {
            var steady = ArrivalSchedule.Steady(calls, Hold, length ?? Run, seed);
            var template = conversation ?? DefaultConversation;
            var drawn = new CallSettings[steady.Arrivals.Count];
            for (var i = 0; i < drawn.Length; i++)
            {
                drawn[i] = Call(audio, i, template with { Duration = steady.Arrivals[i].Hold });
            }

            return new RunPlan(steady, drawn);
        }

        if (length is { } stepLength)
        {
            conversation = (conversation ?? DefaultConversation) with { Duration = stepLength };
        }

        var all = new CallSettings[calls];
        for (var i = 0; i < all.Length; i++)
        {
            all[i] = Call(audio, i, conversation);
        }

        return new RunPlan(ArrivalSchedule.All(calls, RampFor(calls)), all);
    }

    /// <summary>A conversation with this command line's reply and pause settings (the cycles or length set by the caller).</summary>
    private ConversationSettings DefaultConversation => new()
    {
        Cycles = Cycles,
        ReplyTimeout = ReplyTimeout,
        ReplyQuiet = ReplyQuiet,
        Pause = CyclePause,
        GreetingWait = GreetingWait,
    };

    private CallSettings Call(CallAudio audio, int i, ConversationSettings? conversation) => new()
    {
        Host = Host,
        Port = Port,
        CallId = i == 0 && Uuid is { } uuid ? uuid : Guid.NewGuid(),
        Audio = audio,
        LabelLegacy = LabelLegacy,
        LeadingSilence = LeadingSilence,
        Tail = Tail,
        Dtmf = Dtmf,
        SendHangupFrame = SendHangupFrame,
        SilentGaps = SilentGaps,
        Record = i == 0 && Out is not null,
        ConnectTimeout = ConnectTimeout,
        CloseWait = CloseWait,
        Conversation = conversation,
    };
}

/// <summary>How calls arrive (<c>--arrival</c>).</summary>
public enum ArrivalMode
{
    /// <summary>Every call starts over the ramp and lives its whole plan: N live at once.</summary>
    All,

    /// <summary>A call centre's traffic: Poisson arrivals, log-normal holds, N live on average.</summary>
    Steady,
}

/// <summary>The calls of one run and when each starts.</summary>
/// <param name="Schedule">Start offsets (and drawn holds).</param>
/// <param name="Calls">One call per arrival, in the same order.</param>
public sealed record RunPlan(ArrivalSchedule Schedule, IReadOnlyList<CallSettings> Calls);
