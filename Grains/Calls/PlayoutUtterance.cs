namespace AiAgent.Grains.Calls;

/// <summary>One agent utterance as the call sees it: when its audio arrived, when the gateway played it, whether barge-in cut it.</summary>
internal sealed class PlayoutUtterance(int id, bool isGreeting, DateTime firstAudioUtc)
{
    /// <summary>The provider's utterance id.</summary>
    public int Id { get; } = id;

    /// <summary>The first agent audio of the call, before the caller finished any turn.</summary>
    public bool IsGreeting { get; } = isGreeting;

    /// <summary>When its first audio reached the grain.</summary>
    public DateTime FirstAudioUtc { get; } = firstAudioUtc;

    /// <summary>When the gateway wrote its first frame (the gateway's clock).</summary>
    public DateTime? PlayoutStartedUtc { get; set; }

    /// <summary>When the gateway finished or flushed it.</summary>
    public DateTime? PlayoutEndedUtc { get; set; }

    /// <summary>Barge-in flushed it: later audio of it is dropped.</summary>
    public bool Interrupted { get; set; }
}
