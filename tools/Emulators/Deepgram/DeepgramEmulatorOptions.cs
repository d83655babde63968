using Microsoft.Extensions.Logging;

namespace AiAgent.Emulators.Deepgram;

/// <summary>How a <see cref="DeepgramEmulator"/> listens and behaves (timings, VAD, fault injection).</summary>
public sealed class DeepgramEmulatorOptions
{
    /// <summary>Loopback address to bind (default 127.0.0.1).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>TCP port; 0 picks a free one (tests).</summary>
    public int Port { get; set; }

    /// <summary>
    /// The key clients must present as <c>Authorization: Token &lt;key&gt;</c> (or <c>Bearer</c>); anything else gets
    /// HTTP 401 at the upgrade. Null accepts any non-empty key.
    /// </summary>
    public string? ApiKey { get; set; } = "emulator-key";

    /// <summary>Close with <c>CLIENT_MESSAGE_TIMEOUT</c> after this long without caller audio or <c>KeepAlive</c>.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The session cap (the real service closes every session at 2 h, KeepAlive or not; docs/protocols/deepgram.md#limits-and-keepalive): after this
    /// long from the upgrade the emulator sends an <c>Error</c> (<see cref="MaxSessionErrorCode"/>) and closes. Null (the
    /// default) for no cap.
    /// </summary>
    public TimeSpan? MaxSessionLength { get; set; }

    /// <summary>
    /// The <c>Error</c> code sent at <see cref="MaxSessionLength"/>. Unverified guess: the real code for the 2-hour cap
    /// is not documented (docs/protocols/deepgram.md#limits-and-keepalive), so clients must not depend on it; tests also try unknown codes.
    /// </summary>
    public string MaxSessionErrorCode { get; set; } = "SESSION_LIMIT_EXCEEDED";

    /// <summary>Delay before <c>SettingsApplied</c>; binary audio arriving in this window is counted (conformance check).</summary>
    public TimeSpan SettingsAppliedDelay { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Energy VAD threshold on caller audio.</summary>
    public double SpeechThresholdDbfs { get; set; } = -40;

    /// <summary>Loud audio needed before <c>UserStartedSpeaking</c>.</summary>
    public int MinSpeechMs { get; set; } = 120;

    /// <summary>Silence that ends the caller's turn.</summary>
    public int SilenceMs { get; set; } = 600;

    /// <summary>Time the emulated LLM "thinks" (reported as <c>ttt_latency</c>).</summary>
    public TimeSpan ThinkDelay { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Audio per binary frame; deliberately not a multiple of 20 ms, like the real service.</summary>
    public int ChunkMs { get; set; } = 170;

    /// <summary>
    /// Cut agent audio at odd byte counts, so a linear16 sample straddles two binary frames (nothing in the API
    /// promises sample-aligned frames); clients must reassemble.
    /// </summary>
    public bool OddChunks { get; set; }

    /// <summary>How much faster than real time agent audio is sent (bursts); 1 paces at real time.</summary>
    public double BurstFactor { get; set; } = 4;

    /// <summary>
    /// Agent audio still sent after <c>UserStartedSpeaking</c> when the caller barges in (frames already in flight
    /// on a real network); a conforming client drops them (docs/protocols/deepgram.md#client-obligations, item 6).
    /// </summary>
    public int StaleAudioAfterBargeInMs { get; set; }

    /// <summary>
    /// Leave out <c>AgentStartedSpeaking</c> (one source says it needs <c>experimental: true</c>): clients must still
    /// find the start of each agent turn.
    /// </summary>
    public bool OmitAgentStartedSpeaking { get; set; }

    /// <summary>
    /// Function calls the emulated agent makes (<c>--tool-call N:name:json</c>): after the caller's Nth turn a
    /// <c>FunctionCallRequest</c> (client_side), then, once every call of it is answered, the reply (the farewell after
    /// <c>hangup_call</c>). The shape of the answers is checked (<see cref="DeepgramEmulatorSession.ToolShapeErrors"/>).
    /// </summary>
    public List<Common.ScriptedToolCall> ToolCalls { get; set; } = [];

    /// <summary>
    /// The agent speaks the reply before it asks for the <see cref="ToolCalls"/> ("let me look that up"): the
    /// <c>FunctionCallRequest</c> follows that turn's <c>AgentAudioDone</c> (<c>--speak-before-tool-calls true</c>),
    /// while its audio is still playing at the client. A barge-in that cuts the turn short drops the calls.
    /// </summary>
    public bool SpeakBeforeToolCalls { get; set; }

    /// <summary>Where the emulator logs; null for no logging.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }
}
