using Orleans.Concurrency;
using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>
/// One live call, keyed by the AudioSocket call UUID (the id the dialplan passes to <c>AudioSocket()</c>, usually from <c>${UUID()}</c>).
/// It owns the provider session, converts audio and publishes agent audio on the call's
/// outbound stream (<see cref="CallStreams"/>).
/// </summary>
public interface ICallGrain : IGrainWithGuidKey
{
    /// <summary>Starts the call: picks the provider, opens its session, and begins publishing on the call's stream.</summary>
    /// <remarks>The gateway subscribes to the call's stream before calling this, so no event is missed.</remarks>
    Task<CallStarted> StartAsync(CallStartRequest request);

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

    /// <summary>Ends the call from the caller's side (socket closed, idle, malformed input) and writes its record.</summary>
    Task HangupAsync(CallEndReason reason);

    /// <summary>
    /// The platform ends a live call with <paramref name="disposition"/> (an operator, later an agent's tool): queued
    /// agent audio plays out, then the gateway sends the hangup frame and the dialplan reads the disposition. False
    /// when the call is not live.
    /// </summary>
    Task<bool> EndAsync(CallDisposition disposition);

    /// <summary>A snapshot for operators: state, provider, formats, counters, transcript so far.</summary>
    [AlwaysInterleave]
    Task<CallSnapshot> GetSnapshotAsync();
}
