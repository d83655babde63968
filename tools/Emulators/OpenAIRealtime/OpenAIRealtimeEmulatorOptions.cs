namespace AiAgent.Emulators.OpenAIRealtime;

/// <summary>How the emulator rejects a wrong API key.</summary>
public enum AuthFailureMode
{
    /// <summary>HTTP 401 with a JSON error body at the upgrade (no WebSocket).</summary>
    HttpUnauthorized,

    /// <summary>Accept the upgrade, send <c>error</c> (<c>invalid_api_key</c>), then close.</summary>
    ErrorThenClose,
}

/// <summary>How the emulator reports a rate limit.</summary>
public enum RateLimitShape
{
    /// <summary>An <c>error</c> event with code <c>rate_limit_exceeded</c> instead of the response.</summary>
    ErrorEvent,

    /// <summary><c>response.created</c>, then <c>response.done</c> with status <c>failed</c> and <c>status_details.error.code</c> <c>rate_limit_exceeded</c>.</summary>
    FailedResponse,
}

/// <summary>Options of <see cref="OpenAIRealtimeEmulator"/>, including the faults it injects.</summary>
public sealed class OpenAIRealtimeEmulatorOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>The accepted API key; null accepts any non-empty bearer token.</summary>
    public string? ApiKey { get; set; } = "sk-emulator";

    /// <summary>How a wrong key is rejected.</summary>
    public AuthFailureMode AuthFailure { get; set; } = AuthFailureMode.HttpUnauthorized;

    /// <summary>Agent audio per <c>response.output_audio.delta</c>.</summary>
    public int AudioChunkMs { get; set; } = 200;

    /// <summary>Pause between deltas. 0 sends a whole response as one burst, far faster than real time (like the real API, only more so).</summary>
    public int AudioChunkIntervalMs { get; set; }

    /// <summary>
    /// Pause between <c>response.created</c> and the first audio delta of every answer except the greeting (the model
    /// "thinking"): the answer is active but nothing of it can play yet. A <c>response.cancel</c> ends the pause.
    /// </summary>
    public int ReplyAudioDelayMs { get; set; }

    /// <summary>Energy above this (dBFS) in appended audio counts as speech.</summary>
    public double SpeechThresholdDbfs { get; set; } = -40;

    /// <summary>Fault: the Nth response (1-based) is rate-limited instead of answered.</summary>
    public int? RateLimitOnResponse { get; set; }

    /// <summary>How the rate limit is reported.</summary>
    public RateLimitShape RateLimitShape { get; set; } = RateLimitShape.ErrorEvent;

    /// <summary>Fault: during the Nth response (1-based, counted over all connections) drop the TCP connection after <see cref="DisconnectAfterDeltas"/> audio deltas.</summary>
    public int? DisconnectDuringResponse { get; set; }

    /// <summary>Audio deltas sent before the injected disconnect.</summary>
    public int DisconnectAfterDeltas { get; set; } = 2;

    /// <summary>
    /// Fault: the first connection's session expires this long after it opened (<c>error</c> <c>session_expired</c>,
    /// then close); its <c>session.expires_at</c> says so.
    /// </summary>
    public TimeSpan? SessionExpiresAfter { get; set; }

    /// <summary>
    /// The clock of the session limit (<c>expires_at</c> and the <see cref="SessionExpiresAfter"/> timer): a test's
    /// fake clock drives the expiry without waiting it out. Audio pacing stays on real time.
    /// </summary>
    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Fault: answer every <c>response.cancel</c> with <c>response_cancel_not_active</c>, as when the response ended while the cancel was in flight.</summary>
    public bool CancelRacesResponseEnd { get; set; }

    /// <summary>Quirk: after <c>session_expired</c> the server does not close the socket (the client must not wait for it).</summary>
    public bool SessionExpiredLeavesSocketOpen { get; set; }

    /// <summary>Quirk: <c>session.created</c>/<c>session.updated</c> show <c>{"type":"audio/pcm"}</c> without <c>rate</c>.</summary>
    public bool OmitPcmRate { get; set; }

    /// <summary>Fault: the Nth response (1-based) ends <c>incomplete</c> with <see cref="IncompleteReason"/> after its first audio delta.</summary>
    public int? IncompleteOnResponse { get; set; }

    /// <summary>The <c>status_details.reason</c> of the injected incomplete response.</summary>
    public string IncompleteReason { get; set; } = "content_filter";

    /// <summary>Fault: answer every upgrade with HTTP 503 (the service is unreachable; reconnects fail).</summary>
    public bool RefuseUpgrades { get; set; }

    /// <summary>
    /// Function calls the emulated model makes (<c>--tool-call N:name:json</c>): after the caller's Nth turn the
    /// response is a <c>function_call</c> output item (<c>response.function_call_arguments.delta</c>/<c>.done</c>,
    /// <c>response.output_item.done</c>, <c>response.done</c>); the client's <c>function_call_output</c> and then one
    /// <c>response.create</c> are checked (<see cref="OpenAIRealtimeEmulator.ToolShapeErrors"/>), and that response
    /// speaks the reply (the farewell after <c>hangup_call</c>). Several for one turn share one response.
    /// </summary>
    public List<Common.ScriptedToolCall> ToolCalls { get; set; } = [];

    /// <summary>
    /// The response that makes the <see cref="ToolCalls"/> first speaks the reply (an audio output item at index 0,
    /// its function calls after it), as gpt-realtime does when it says "let me look that up" and calls in one
    /// response (<c>--speak-before-tool-calls true</c>). The audio is queued at the client while the tool runs.
    /// </summary>
    public bool SpeakBeforeToolCalls { get; set; }

    /// <summary>
    /// Fault: the share of WebSocket upgrades (0 to 1, <c>--fault-ratio</c>) that get a fault from <see cref="FaultMix"/>.
    /// The draw is per upgrade: a client's reconnect is another upgrade and draws again.
    /// </summary>
    public double FaultRatio { get; set; }

    /// <summary>The faults drawn from, uniformly (<c>--fault-mix drop,stall,429,401</c>, the default: all four).</summary>
    public IReadOnlyList<UpgradeFaultKind> FaultMix { get; set; } = UpgradeFaultNames.All;

    /// <summary>The seed of the draws (<c>--fault-seed</c>): the same seed draws the same sequence; null for a random one.</summary>
    public int? FaultSeed { get; set; }

    /// <summary>
    /// How long a <see cref="UpgradeFaultKind.Stall"/> sends nothing before the emulator drops the connection
    /// (<c>--stall-ms</c>). The default, 40 s, outlasts the platform's keepalive (a ping every 15 s, the socket
    /// aborted when a pong is 15 s late), so the platform's pong timeout ends the stall, not the emulator.
    /// </summary>
    public int StallMs { get; set; } = 40_000;

    /// <summary>Fault: answer the first client event of this type with an <c>error</c> (as if it were malformed) instead of applying it.</summary>
    public string? RejectClientEventType { get; set; }
}
