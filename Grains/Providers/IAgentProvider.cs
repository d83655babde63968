using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Providers;

/// <summary>
/// A speech-to-speech AI provider (the seed's <c>AIProviderInterface</c>). One instance per provider kind
/// lives in the silo's DI container; it opens one <see cref="IAgentSession"/> per call.
/// </summary>
public interface IAgentProvider
{
    /// <summary>The provider's config name: <c>local</c>, <c>openai_realtime</c> or <c>deepgram</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Creates (but does not connect) a session for one call. The provider reads its options at this moment,
    /// so a config change applies to the next call.
    /// </summary>
    IAgentSession CreateSession(AgentSessionContext context);
}

/// <summary>What a provider needs to know about the call it serves.</summary>
/// <param name="CallId">The call id (AudioSocket UUID).</param>
/// <param name="CallFormat">The call's AudioSocket format; providers pick the formats that avoid resampling for it.</param>
/// <remarks>
/// A call resumed on another silo after its own was lost gets a fresh session primed with the conversation so far:
/// the provider seeds its first connection with <see cref="PriorConversation"/> and never greets the caller again.
/// </remarks>
public sealed record AgentSessionContext(Guid CallId, AudioFormat CallFormat)
{
    /// <summary>
    /// The persisted transcript of a resumed call, oldest first (<see cref="TranscriptLine.Role"/> <c>caller</c>,
    /// <c>agent</c> or <c>dtmf</c>, the digit as its text); empty for a new call.
    /// </summary>
    public IReadOnlyList<TranscriptLine> PriorConversation { get; init; } = [];

    /// <summary>The call was already under way: no greeting, and the prior conversation (if any) is seeded.</summary>
    public bool Resumed => PriorConversation.Count > 0 || ResumedWithoutHistory;

    /// <summary>A resumed call whose record holds no transcript yet (the caller was greeted, nothing said since).</summary>
    public bool ResumedWithoutHistory { get; init; }

    /// <summary>
    /// The tools offered to the model on this call (<see cref="Tools.ToolRegistry.CreateToolSetAsync"/>); null or empty
    /// offers none, and a function call the model makes anyway gets an error result.
    /// </summary>
    public Tools.ToolSet? Tools { get; init; }
}

/// <summary>The audio formats a session speaks, declared by the provider (its codec/sample-rate metadata).</summary>
/// <param name="Input">The format the provider wants caller audio in.</param>
/// <param name="Output">The format the provider's agent audio arrives in.</param>
public readonly record struct ProviderAudioFormats(AudioFormat Input, AudioFormat Output);

/// <summary>
/// One live provider session for one call. The grain converts caller audio into <see cref="Formats"/>.Input,
/// sends it with <see cref="SendAudioAsync"/>, and reads <see cref="Events"/>. Implementations do their socket
/// I/O off the grain scheduler (a receive loop and a send loop over a <c>Channel</c>); everything the grain
/// sees arrives through <see cref="Events"/>.
/// </summary>
public interface IAgentSession : IAsyncDisposable
{
    /// <summary>The provider's name, as in <see cref="IAgentProvider.Name"/>.</summary>
    string ProviderName { get; }

    /// <summary>The negotiated formats. Valid from construction (they come from options and the call format).</summary>
    ProviderAudioFormats Formats { get; }

    /// <summary>Events in arrival order. Completes when the session has ended (after a <see cref="SessionEnded"/>).</summary>
    ChannelReader<ProviderEvent> Events { get; }

    /// <summary>Connects and configures the session (and asks for the greeting). Throws if it cannot.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Queues caller audio, already in <see cref="ProviderAudioFormats.Input"/>. Never blocks on the network;
    /// the session copies what it needs before returning, so the caller may reuse <paramref name="audio"/>.
    /// </summary>
    ValueTask SendAudioAsync(ReadOnlyMemory<byte> audio, CancellationToken cancellationToken);

    /// <summary>Forwards a DTMF digit to the agent (OpenAI: a user item; Deepgram: <c>InjectUserMessage</c>).</summary>
    ValueTask SendDtmfAsync(char digit, CancellationToken cancellationToken);

    /// <summary>
    /// Tells the provider how much of an agent utterance the caller actually heard before barge-in flushed it
    /// (OpenAI: <c>conversation.item.truncate</c> with <c>audio_end_ms</c>).
    /// </summary>
    ValueTask NotifyPlayoutInterruptedAsync(int utteranceId, long playedMilliseconds, CancellationToken cancellationToken);

    /// <summary>
    /// The grain accepted a barge-in: stop the answer the provider is generating now, even when none of its audio
    /// has arrived or played yet (OpenAI with <c>interrupt_response:false</c>: <c>response.cancel</c>). Returns true
    /// when an answer was in progress and is being cancelled, false when there was nothing to stop. Providers whose
    /// server stops the answer by itself keep this default.
    /// </summary>
    ValueTask<bool> CancelResponseAsync(CancellationToken cancellationToken) => ValueTask.FromResult(false);

    /// <summary>
    /// The gateway's playout report for one of this session's utterances (started, completed or flushed, with the
    /// milliseconds the caller heard). The grain forwards every report, so a session learns when agent audio really
    /// ended for the caller rather than estimating it from the bytes it received.
    /// </summary>
    ValueTask OnPlayoutReportAsync(PlayoutReport report, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Asks the agent to act on a platform instruction now, not something the caller said (a warm transfer: "brief the
    /// colleague who just answered"; "the transfer did not go through, tell the caller"). OpenAI: a system item and
    /// <c>response.create</c>; Deepgram: <c>InjectUserMessage</c> marked as a system note. False when the session cannot
    /// take instructions (then the platform carries on without the agent's words).
    /// </summary>
    ValueTask<bool> InstructAsync(string instruction, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    /// <summary>Closes the session cleanly; <see cref="Events"/> completes afterwards.</summary>
    Task StopAsync(CancellationToken cancellationToken);
}
