using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Dialplan;

/// <summary>One run of a dialplan: where the call enters, which Asterisk it imitates, and what the caller does.</summary>
public sealed record DialplanRunSettings
{
    /// <summary>The context the call enters.</summary>
    public required string Context { get; init; }

    /// <summary>The extension dialled (priority 1 runs first).</summary>
    public required string Extension { get; init; }

    /// <summary>The Asterisk release imitated (docs/protocols/asterisk.md#versions).</summary>
    public AsteriskVersion Version { get; init; } = AsteriskVersion.Default;

    /// <summary>
    /// The caller's speech in the format an AudioSocket session uses (slin 8 kHz for the application, the
    /// <c>c()</c> codec for the channel driver). Default: one second of silence.
    /// </summary>
    public Func<CallFormat, CallAudio> CallerSpeech { get; init; } = static format => CallAudio.Silence(TimeSpan.FromSeconds(1), format);

    /// <summary>
    /// The first format of the caller channel's capabilities: what <c>Dial(AudioSocket/…)</c> without <c>c()</c> speaks
    /// (a G.711 caller gives <c>ulaw</c> bytes labelled 0x10). The application always speaks slin 8 kHz.
    /// </summary>
    public CallFormat CallerFormat { get; init; } = CallFormat.Slin;

    /// <summary>Silence before the caller speaks, in each AudioSocket session.</summary>
    public TimeSpan LeadingSilence { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>
    /// How long the caller stays on the line (streaming silence) after speaking, in each AudioSocket session,
    /// before hanging up; the server normally ends the session first.
    /// </summary>
    public TimeSpan CallerPatience { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A caller who talks in cycles in every AudioSocket session (<see cref="CallerSpeech"/> is each turn's speech;
    /// <see cref="CallerPatience"/> does not apply). A session after the first skips the greeting wait: the caller is
    /// mid-conversation when a reconnect loop brings the call back. Null: each session speaks once.
    /// </summary>
    public ConversationSettings? Conversation { get; init; }

    /// <summary>Where the dialplan's host names really are.</summary>
    public EndpointMap Endpoints { get; init; } = EndpointMap.Empty;

    /// <summary>The client <c>CURL()</c> uses; null: one for the run.</summary>
    public HttpClient? Http { get; init; }

    /// <summary>How long <c>CURL()</c> waits (func_curl's own default is 180 s).</summary>
    public TimeSpan CurlTimeout { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>The clock <c>Wait()</c> sleeps on.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>A run executing more applications than this is stopped as a loop.</summary>
    public int MaxSteps { get; init; } = 1000;

    /// <summary>Called before each application runs.</summary>
    public Action<ExecutedStep>? OnStep { get; init; }

    /// <summary>Called with the UUID as an AudioSocket session starts connecting.</summary>
    public Action<Guid>? OnAudioSocketStarted { get; init; }

    /// <summary>Called with the UUID for every frame of agent speech an AudioSocket session receives (from its receive loop).</summary>
    public Action<Guid>? OnAgentSpeech { get; init; }
}
