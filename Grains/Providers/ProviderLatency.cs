namespace AiAgent.Grains.Providers;

/// <summary>
/// Latency the provider itself measured for an agent turn (Deepgram <c>AgentStartedSpeaking</c>), reported
/// just before that turn's first <see cref="AgentAudio"/>. Providers that measure nothing never send it.
/// </summary>
/// <param name="UtteranceId">The agent utterance it belongs to.</param>
/// <param name="Total">End of the caller's turn to the first agent audio, on the provider's side.</param>
/// <param name="Think">Time the LLM took (text to text), when reported.</param>
/// <param name="Speak">Time speech synthesis took to its first audio (text to speech), when reported.</param>
public sealed record ProviderLatency(int UtteranceId, TimeSpan Total, TimeSpan? Think, TimeSpan? Speak) : ProviderEvent;
