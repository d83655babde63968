namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>
/// An event on a call's outbound stream, from the <see cref="ICallGrain"/> to the gateway holding the socket.
/// <see cref="Sequence"/> increases by one per event so the gateway can check order.
/// </summary>
[GenerateSerializer, Immutable, Alias("AiAgent.AgentStreamEvent")]
public abstract record AgentStreamEvent([property: Id(0)] long Sequence);

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
