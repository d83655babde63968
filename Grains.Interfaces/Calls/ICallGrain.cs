using Orleans.Concurrency;

namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>
/// One activation of a live call, keyed by the AudioSocket call UUID (the id the dialplan passes to
/// <c>AudioSocket()</c>, from <c>${UUID()}</c>) and an activation epoch (<see cref="CallGrainKeys"/>). It owns the
/// provider session, converts audio and sends agent audio to the gateway's <see cref="IAgentOutput"/>.
/// </summary>
public interface ICallGrain : IGrainWithGuidCompoundKey
{
    /// <summary>
    /// Connects a gateway to the call: starts it (no record yet), restores it from its record at this epoch (the
    /// activation before it was lost or handed over), or re-attaches a live call to another gateway (the dialplan
    /// connected again with the same call id). Idempotent: a repeated attach by the same gateway changes nothing.
    /// </summary>
    Task<CallAttached> AttachAsync(CallAttachRequest request);

    /// <summary>Caller audio, in the call's AudioSocket format. One-way: ordering and loss are checked by sequence number.</summary>
    [OneWay]
    Task PushCallerAudioAsync(CallerAudio audio);

    /// <summary>A DTMF digit the caller pressed (AudioSocket kind 0x03).</summary>
    Task SendDtmfAsync(char digit);

    /// <summary>
    /// What the gateway actually played to the caller. Not one-way: the gateway's report pump (off the media path)
    /// awaits each report before sending the next, because one-way calls are not delivered in send order
    /// (docs/decisions.md, "One-way call ordering") and a <c>Completed</c> or <c>Flushed</c> ahead of its
    /// <c>Started</c> would mislead the grain's playout tracker and the provider's playout estimate.
    /// </summary>
    Task ReportPlayoutAsync(PlayoutReport report);

    /// <summary>
    /// Ends the call from the caller's side (socket closed, idle, malformed input) and writes its record. From a
    /// gateway, <paramref name="attachment"/> is the one its attach got: a connection the call has moved away from
    /// (another gateway attached since) cannot end it. 0: whoever asks (operators' tools, tests).
    /// </summary>
    Task HangupAsync(CallEndReason reason, int attachment = 0);

    /// <summary>
    /// The gateway lets go of the call without ending it (it is draining, or the dialplan is to connect again): the
    /// provider session stays open and the call waits for a gateway to <see cref="AttachAsync"/> again, up to a bound.
    /// Ignored from a connection the call has moved away from.
    /// </summary>
    Task DetachAsync(int attachment);

    /// <summary>
    /// The platform ends a live call with <paramref name="disposition"/> (an operator, later an agent's tool): queued
    /// agent audio plays out, then the gateway sends the hangup frame and the dialplan reads the disposition. False
    /// when the call is not live.
    /// </summary>
    Task<bool> EndAsync(CallDisposition disposition);

    /// <summary>
    /// The gateway's liveness probe, not one-way and with a short timeout so a lost silo shows as a failed call within
    /// a bound: whether this activation carries the call for the connection holding <paramref name="attachment"/>.
    /// </summary>
    [AlwaysInterleave, ResponseTimeout("00:00:01")]
    Task<CallLiveness> PingAsync(int attachment);

    /// <summary>A snapshot for operators: state, provider, formats, counters, transcript so far.</summary>
    [AlwaysInterleave]
    Task<CallSnapshot> GetSnapshotAsync();
}

/// <summary>The answer to a gateway's liveness probe (<see cref="ICallGrain.PingAsync"/>).</summary>
public enum CallLiveness
{
    /// <summary>This activation carries the call for the asking connection.</summary>
    Live = 0,

    /// <summary>It does not (a fresh activation of a lost epoch, or one that left the call to another): restore at the next epoch.</summary>
    NotCarried = 1,

    /// <summary>The call goes on through another connection (the dialplan connected again elsewhere): let go quietly.</summary>
    Moved = 2,

    /// <summary>
    /// The call is over: this activation ended it, and its <see cref="CallEnding"/> event (behind the last agent audio)
    /// may still be on its way. Never restore an ended call: wait for that event, then hang up.
    /// </summary>
    Ended = 3,
}
