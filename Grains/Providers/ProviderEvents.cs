using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Providers;

/// <summary>
/// What a provider session reports, shaped the same for every provider so the grain cannot tell them apart.
/// </summary>
public abstract record ProviderEvent
{
    /// <summary>When the event reached the platform (UTC).</summary>
    public DateTime ReceivedAtUtc { get; init; } = DateTime.UtcNow;
}

/// <summary>The provider accepted the session configuration; audio may flow.</summary>
/// <param name="SessionId">The provider's own id for the session (OpenAI session id, Deepgram request id), for support.</param>
public sealed record SessionStarted(string? SessionId) : ProviderEvent;

/// <summary>The caller started speaking (barge-in signal when the agent is talking).</summary>
public sealed record UserSpeechStarted : ProviderEvent;

/// <summary>The caller stopped speaking: the turn is over, the agent's answer is being prepared.</summary>
public sealed record UserSpeechStopped : ProviderEvent;

/// <summary>What the caller said.</summary>
public sealed record UserTranscript(string Text, bool IsFinal) : ProviderEvent;

/// <summary>What the agent says (or is saying).</summary>
public sealed record AgentTranscript(string Text, bool IsFinal) : ProviderEvent;

/// <summary>
/// A chunk of agent audio in <paramref name="Format"/> (the session's declared output format).
/// <paramref name="UtteranceId"/> groups chunks of one agent utterance (one OpenAI assistant item, one Deepgram
/// agent turn); a new id starts a new utterance.
/// </summary>
public sealed record AgentAudio(ReadOnlyMemory<byte> Audio, AudioFormat Format, int UtteranceId) : ProviderEvent;

/// <summary>The provider has sent the last audio byte of an utterance.</summary>
public sealed record AgentAudioDone(int UtteranceId) : ProviderEvent;

/// <summary>Kinds of provider error, for metrics labels and outcomes.</summary>
public enum ProviderErrorKind
{
    /// <summary>Bad or missing credentials.</summary>
    Authentication,

    /// <summary>Rate limit or quota.</summary>
    RateLimited,

    /// <summary>The connection dropped.</summary>
    Disconnected,

    /// <summary>The provider's maximum session length was reached.</summary>
    SessionExpired,

    /// <summary>The provider rejected something we sent.</summary>
    InvalidRequest,

    /// <summary>The provider failed on its side.</summary>
    Server,

    /// <summary>Anything else.</summary>
    Other,
}

/// <summary>A provider error. <paramref name="Fatal"/> errors end the session (a reconnect may follow).</summary>
public sealed record ProviderError(ProviderErrorKind Kind, string Code, string Message, bool Fatal) : ProviderEvent;

/// <summary>
/// The session reconnected, with the conversation so far re-seeded where possible: after a fault
/// (<paramref name="Attempt"/> 1, 2 ...), or a planned rollover before the provider's session limit (attempt 0).
/// </summary>
public sealed record ProviderReconnected(int Attempt) : ProviderEvent;

/// <summary>
/// The session is over. <paramref name="HangUp"/> asks the platform to end the call; <paramref name="Failed"/> says the
/// session could not go on (the call ends with the <c>error</c> disposition), as opposed to the agent ending it (<c>hangup</c>).
/// </summary>
public sealed record SessionEnded(string Reason, bool HangUp, bool Failed = false) : ProviderEvent;

/// <summary>
/// A tool asked the platform to act on the call (<c>hangup_call</c>, <c>transfer_call</c>): the grain does it once the
/// agent's current speech has played out at the gateway.
/// </summary>
public sealed record CallActionRequested(Tools.CallAction Action) : ProviderEvent;

/// <summary>A tool call is over and its result was handed to the provider: for the record, the API and the operators' page.</summary>
public sealed record ToolCallFinished(ToolCallEntry Entry) : ProviderEvent;
