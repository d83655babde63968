namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>
/// An event on a call's agent output, from the <see cref="ICallGrain"/> to the gateway holding the socket
/// (<see cref="IAgentOutput"/>). <see cref="Sequence"/> increases by one per event within an <see cref="Epoch"/>, so
/// the gateway can check order; a higher epoch is a newer activation of the call (after a failover), whose numbering
/// starts again, and a lower one is an activation that has been replaced, whose events are refused.
/// </summary>
[GenerateSerializer, Immutable, Alias("AiAgent.AgentStreamEvent")]
public abstract record AgentStreamEvent([property: Id(0)] long Sequence)
{
    /// <summary>The activation epoch of the call grain that sent it (<see cref="CallGrainKeys"/>).</summary>
    [Id(1)]
    public int Epoch { get; init; }
}

/// <summary>
/// One converted provider chunk: audio already in the call's AudioSocket format and a whole number of
/// frames long, so the gateway only cuts and paces. One event per provider chunk, never per 20 ms frame.
/// </summary>
/// <param name="UtteranceId">Which agent utterance this belongs to (barge-in reports refer to it).</param>
/// <param name="Audio">Whole frames of agent audio in the call's format.</param>
/// <param name="ProviderReceivedAtUtc">When the provider's bytes reached the grain (for platform-added latency).</param>
[GenerateSerializer, Immutable, Alias("AiAgent.AgentAudioChunk")]
public sealed record AgentAudioChunk(
    long Sequence,
    [property: Id(0)] int UtteranceId,
    [property: Id(1)] ReadOnlyMemory<byte> Audio,
    [property: Id(2)] DateTime ProviderReceivedAtUtc) : AgentStreamEvent(Sequence);

/// <summary>The provider has sent all audio of an utterance (playout may still be running).</summary>
[GenerateSerializer, Immutable, Alias("AiAgent.AgentUtteranceDone")]
public sealed record AgentUtteranceDone(
    long Sequence,
    [property: Id(0)] int UtteranceId) : AgentStreamEvent(Sequence);

/// <summary>Barge-in: drop all queued agent audio now and report what was played.</summary>
[GenerateSerializer, Immutable, Alias("AiAgent.FlushPlayout")]
public sealed record FlushPlayout(
    long Sequence,
    [property: Id(0)] int UtteranceId) : AgentStreamEvent(Sequence);

/// <summary>The call is over from the platform's side: play what is queued (if asked), send the hangup frame, close.</summary>
[GenerateSerializer, Immutable, Alias("AiAgent.CallEnding")]
public sealed record CallEnding(
    long Sequence,
    [property: Id(0)] CallEndReason Reason,
    [property: Id(1)] bool DrainPlayout) : AgentStreamEvent(Sequence);

/// <summary>
/// The activation is leaving (its silo shuts down): the gateway re-attaches the call at <see cref="NextEpoch"/> now, on
/// another silo, and keeps playing what it has queued meanwhile. The record is saved before this is sent.
/// </summary>
[GenerateSerializer, Immutable, Alias("AiAgent.CallHandover")]
public sealed record CallHandover(
    long Sequence,
    [property: Id(0)] int NextEpoch) : AgentStreamEvent(Sequence);
