namespace AiAgent.Grains.Calls;

/// <summary>The agent utterance the caller is hearing now.</summary>
/// <param name="Id">The utterance id.</param>
/// <param name="IsGreeting">It is the call's greeting.</param>
/// <param name="PlayoutStartedUtc">When its first frame played; null while it is still queued at the gateway.</param>
internal readonly record struct PlayingUtterance(int Id, bool IsGreeting, DateTime? PlayoutStartedUtc);

/// <summary>What the caller hears of the agent at one moment: the input of <see cref="BargeInPolicy"/>.</summary>
/// <param name="Playing">The utterance playing (sent and neither finished nor flushed), or null when the agent is silent.</param>
/// <param name="GreetingPending">No agent audio yet and no caller turn ended: the greeting is asked for but not heard.</param>
/// <param name="LastPlayoutEndedUtc">When agent audio last stopped playing, or null if none has.</param>
internal readonly record struct PlayoutState(PlayingUtterance? Playing, bool GreetingPending, DateTime? LastPlayoutEndedUtc);
