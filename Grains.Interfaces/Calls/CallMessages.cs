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

/// <summary>The call's answer to <see cref="ICallGrain.StartAsync"/>.</summary>
/// <param name="Provider">The provider name chosen for this call (e.g. <c>local</c>, <c>openai_realtime</c>).</param>
/// <param name="Format">The AudioSocket format agent audio will be published in.</param>
[GenerateSerializer, Immutable, Alias("AiAgent.CallStarted")]
public sealed record CallStarted(
    [property: Id(0)] string Provider,
    [property: Id(1)] AudioFormat Format);

/// <summary>
/// One or more caller frames in the call's AudioSocket format. <see cref="Sequence"/> increases by one
/// per message, starting at 0, so the grain can put one-way calls back in order and detect loss and duplicates.
/// </summary>
[GenerateSerializer, Immutable, Alias("AiAgent.CallerAudio")]
public sealed record CallerAudio(
    [property: Id(0)] long Sequence,
    [property: Id(1)] ReadOnlyMemory<byte> Audio);

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
    [property: Id(13)] CallDisposition? Disposition = null);
