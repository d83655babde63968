using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>What the gateway tells a call when it starts.</summary>
/// <param name="Format">The AudioSocket format of this call: what Asterisk sends, and gets back unless <see cref="PlayoutFormat"/> says otherwise.</param>
/// <param name="GatewayId">The gateway instance holding the socket (for operators and diagnostics).</param>
/// <param name="RemoteEndpoint">The Asterisk side of the TCP connection.</param>
/// <param name="FrameDuration">Duration of one outbound frame (20 ms by default).</param>
[GenerateSerializer, Immutable, Alias("AiAgent.CallStartRequest")]
public sealed record CallStartRequest(
    [property: Id(0)] AudioFormat Format,
    [property: Id(1)] string GatewayId,
    [property: Id(2)] string? RemoteEndpoint,
    [property: Id(3)] TimeSpan FrameDuration)
{
    /// <summary>
    /// The format agent audio is to be published in, when it differs from <see cref="Format"/>: Asterisk reads
    /// only slin back, at the rate of the label (a G.711 or a 0x10-labelled wideband call is answered in slin
    /// 8 kHz). Null: the same as <see cref="Format"/>.
    /// </summary>
    [Id(4)]
    public AudioFormat? PlayoutFormat { get; init; }

    /// <summary>The format agent audio is published in.</summary>
    public AudioFormat EffectivePlayoutFormat => PlayoutFormat ?? Format;
}

/// <summary>A gateway connecting to a call (<see cref="ICallGrain.AttachAsync"/>).</summary>
/// <param name="Start">The call as this gateway's connection sees it (formats, gateway, frame duration).</param>
/// <param name="Output">Where agent audio goes: the gateway's observer for this connection.</param>
/// <param name="Reason">Why the gateway attaches (what a restore is counted as).</param>
[GenerateSerializer, Immutable, Alias("AiAgent.CallAttachRequest")]
public sealed record CallAttachRequest(
    [property: Id(0)] CallStartRequest Start,
    [property: Id(1)] IAgentOutput Output,
    [property: Id(2)] CallAttachReason Reason = CallAttachReason.Connect);

/// <summary>Why a gateway attaches to a call.</summary>
public enum CallAttachReason
{
    /// <summary>A connection from Asterisk: a new call, or the dialplan connecting again with the same call id.</summary>
    Connect = 0,

    /// <summary>The call's activation stopped answering (its silo was lost): restore it at the next epoch.</summary>
    SiloLost = 1,

    /// <summary>The call's activation handed the call over (its silo shuts down).</summary>
    Handover = 2,
}

/// <summary>What <see cref="ICallGrain.AttachAsync"/> did.</summary>
public enum CallAttachOutcome
{
    /// <summary>A new call: the provider session opened and the greeting is on its way.</summary>
    Started = 0,

    /// <summary>The call was restored from its record at this epoch, its provider session primed with the conversation.</summary>
    Restored = 1,

    /// <summary>The call was live here: agent audio now goes to this gateway.</summary>
    Reattached = 2,

    /// <summary>A newer activation carries the call (<see cref="CallAttached.Epoch"/>): attach there.</summary>
    Superseded = 3,

    /// <summary>The call is over: hang up.</summary>
    Ended = 4,
}

/// <summary>The call's answer to <see cref="ICallGrain.AttachAsync"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Epoch">The epoch carrying the call (for <see cref="CallAttachOutcome.Superseded"/>: the newer one).</param>
/// <param name="Provider">The provider name serving the call (e.g. <c>local</c>, <c>openai_realtime</c>); null unless attached.</param>
/// <param name="Format">The AudioSocket format agent audio is sent in.</param>
[GenerateSerializer, Immutable, Alias("AiAgent.CallAttached")]
public sealed record CallAttached(
    [property: Id(0)] CallAttachOutcome Outcome,
    [property: Id(1)] int Epoch,
    [property: Id(2)] string? Provider,
    [property: Id(3)] AudioFormat Format)
{
    /// <summary>
    /// Which attachment of this activation the connection holds (1 for the first, one more per re-attach): stamped on
    /// its caller audio, hang-up and pings, so a connection the call has moved away from can no longer feed or end it.
    /// </summary>
    [Id(4)]
    public int Attachment { get; init; }

    /// <summary>True when this activation now carries the call for the gateway.</summary>
    public bool IsAttached => Outcome is CallAttachOutcome.Started or CallAttachOutcome.Restored or CallAttachOutcome.Reattached;
}

/// <summary>
/// One or more caller frames in the call's AudioSocket format. <see cref="Sequence"/> increases by one
/// per message, starting at 0, so the grain can put one-way calls back in order and detect loss and duplicates.
/// </summary>
[GenerateSerializer, Immutable, Alias("AiAgent.CallerAudio")]
public sealed record CallerAudio(
    [property: Id(0)] long Sequence,
    [property: Id(1)] ReadOnlyMemory<byte> Audio)
{
    /// <summary>The sending connection's attachment (<see cref="CallAttached.Attachment"/>); 0: not stamped (taken).</summary>
    [Id(2)]
    public int Attachment { get; init; }
}

/// <summary>What happened to agent audio on the caller's side.</summary>
public enum PlayoutEvent
{
    /// <summary>The first frame of an utterance was written to the socket.</summary>
    Started = 0,

    /// <summary>The last frame of an utterance was written.</summary>
    Completed = 1,

    /// <summary>The queue was flushed (barge-in); <see cref="PlayoutReport.PlayedMilliseconds"/> is what the caller heard.</summary>
    Flushed = 2,
}

/// <summary>A report from the gateway's playout about one utterance.</summary>
/// <param name="UtteranceId">The utterance (see <see cref="AgentAudioChunk.UtteranceId"/>).</param>
/// <param name="Event">What happened.</param>
/// <param name="PlayedMilliseconds">Milliseconds of this utterance written to the caller so far.</param>
/// <param name="AtUtc">When it happened, by the gateway's clock.</param>
/// <param name="PlatformLatency">For <see cref="PlayoutEvent.Started"/>: from provider audio received to first frame on the socket.</param>
[GenerateSerializer, Immutable, Alias("AiAgent.PlayoutReport")]
public sealed record PlayoutReport(
    [property: Id(0)] int UtteranceId,
    [property: Id(1)] PlayoutEvent Event,
    [property: Id(2)] long PlayedMilliseconds,
    [property: Id(3)] DateTime AtUtc,
    [property: Id(4)] TimeSpan PlatformLatency);

/// <summary>Why a call ended.</summary>
public enum CallEndReason
{
    /// <summary>The caller hung up (Asterisk closed the socket).</summary>
    CallerHangup = 0,

    /// <summary>The agent or provider ended the call.</summary>
    AgentHangup = 1,

    /// <summary>The caller was silent past the idle timeout.</summary>
    IdleTimeout = 2,

    /// <summary>The AudioSocket peer sent something invalid.</summary>
    ProtocolError = 3,

    /// <summary>The provider failed and could not be recovered.</summary>
    ProviderError = 4,

    /// <summary>The platform is shutting down.</summary>
    Shutdown = 5,

    /// <summary>Caller audio stopped arriving without a hangup (the gateway holding the socket is gone).</summary>
    GatewayLost = 6,

    /// <summary>
    /// This activation was replaced by a newer one (a failover took the call over): it stops without touching the
    /// caller or the record. Never the end of the call itself.
    /// </summary>
    Superseded = 7,
}

/// <summary>A call's lifecycle state.</summary>
public enum CallState
{
    /// <summary>The grain exists but the call has not started.</summary>
    New = 0,

    /// <summary>The provider session is being opened.</summary>
    Connecting = 1,

    /// <summary>Audio flows both ways.</summary>
    Active = 2,

    /// <summary>The call is over.</summary>
    Ended = 3,
}

/// <summary>One line of the conversation.</summary>
[GenerateSerializer, Immutable, Alias("AiAgent.TranscriptLine")]
public sealed record TranscriptLine(
    [property: Id(0)] DateTime AtUtc,
    [property: Id(1)] string Role,
    [property: Id(2)] string Text);

/// <summary>Counters of the call's audio path.</summary>
[GenerateSerializer, Immutable, Alias("AiAgent.CallCounters")]
public sealed record CallCounters(
    [property: Id(0)] long FramesIn,
    [property: Id(1)] long FramesLost,
    [property: Id(2)] long FramesOutOfOrder,
    [property: Id(3)] long FramesDuplicate,
    [property: Id(4)] long ChunksOut,
    [property: Id(5)] long BytesOut,
    [property: Id(6)] long BargeIns,
    [property: Id(7)] long ProviderErrors,
    [property: Id(8)] long ProviderReconnects,
    [property: Id(9)] long DtmfDigits);

/// <summary>What operators see of one call.</summary>
[GenerateSerializer, Immutable, Alias("AiAgent.CallSnapshot")]
public sealed record CallSnapshot(
    [property: Id(0)] Guid CallId,
    [property: Id(1)] CallState State,
    [property: Id(2)] string? Provider,
    [property: Id(3)] AudioFormat Format,
    [property: Id(4)] AudioFormat? ProviderInputFormat,
    [property: Id(5)] AudioFormat? ProviderOutputFormat,
    [property: Id(6)] DateTime? StartedAtUtc,
    [property: Id(7)] DateTime? EndedAtUtc,
    [property: Id(8)] CallEndReason? EndReason,
    [property: Id(9)] CallCounters Counters,
    [property: Id(10)] IReadOnlyList<double> TurnLatenciesMs,
    [property: Id(11)] IReadOnlyList<TranscriptLine> Transcript,
    [property: Id(12)] string? GatewayId,
    [property: Id(13)] CallDisposition? Disposition = null)
{
    /// <summary>The activation epoch that wrote this snapshot (<see cref="CallGrainKeys"/>).</summary>
    [Id(14)]
    public int Epoch { get; init; }

    /// <summary>The silo hosting that activation.</summary>
    [Id(15)]
    public string? Silo { get; init; }

    /// <summary>Times the call was restored on another activation (silo lost or shut down).</summary>
    [Id(16)]
    public int Failovers { get; init; }

    /// <summary>The tool calls so far, oldest first (their arguments and results may carry personal data).</summary>
    [Id(17)]
    public IReadOnlyList<ToolCallEntry> ToolCalls { get; init; } = [];
}
