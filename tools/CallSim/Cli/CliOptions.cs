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
    public TimeSpan EffectiveRamp => Ramp ?? TimeSpan.FromMilliseconds(Calls <= 1 ? 0 : 5.0 * Calls);

    /// <summary>Settings for each call.</summary>
    public IReadOnlyList<CallSettings> ToCallSettings(CallAudio audio)
    {
        var calls = new CallSettings[Calls];
        var conversation = Conversation;
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = new CallSettings
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

        return calls;
    }
}
