namespace AiAgent.Grains.Calls;

/// <summary>
/// The call's view of the agent utterances the gateway is playing: created when their audio arrives, updated by the
/// gateway's playout reports (started, completed, flushed), and summed up as a <see cref="PlayoutState"/> for barge-in.
/// </summary>
internal sealed class PlayoutTracker
{
    /// <summary>Above this many utterances the finished ones are dropped: only unfinished ones may still get reports.</summary>
    private const int KeepAtMost = 32;

    private readonly Dictionary<int, PlayoutUtterance> _utterances = [];
    private int? _playingId;
    private bool _anyAgentAudio;
    private bool _callerTurnEnded;

    /// <summary>When agent audio last stopped playing (completed or flushed), by the gateway's clock.</summary>
    public DateTime? LastPlayoutEndedUtc { get; private set; }

    /// <summary>No agent audio has arrived and the caller has not finished a turn: the next utterance is the greeting.</summary>
    public bool GreetingPending => !_anyAgentAudio && !_callerTurnEnded;

    /// <summary>What the caller hears now.</summary>
    public PlayoutState State
    {
        get
        {
            PlayingUtterance? playing = _playingId is { } id && _utterances.TryGetValue(id, out var u) && !u.Interrupted && u.PlayoutEndedUtc is null
                ? new PlayingUtterance(u.Id, u.IsGreeting, u.PlayoutStartedUtc)
                : null;
            return new PlayoutState(playing, GreetingPending, LastPlayoutEndedUtc);
        }
    }

    /// <summary>Finds an utterance the call still tracks.</summary>
    public bool TryGet(int utteranceId, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out PlayoutUtterance utterance) =>
        _utterances.TryGetValue(utteranceId, out utterance);

    /// <summary>
    /// Agent audio of <paramref name="utteranceId"/> arrived at <paramref name="receivedAtUtc"/>. A new utterance becomes
    /// the one playing; <paramref name="isNew"/> tells the audio path to start its conversion afresh.
    /// </summary>
    public PlayoutUtterance OnAgentAudio(int utteranceId, DateTime receivedAtUtc, out bool isNew)
    {
        if (_utterances.TryGetValue(utteranceId, out var utterance))
        {
            isNew = false;
            return utterance;
        }

        utterance = new PlayoutUtterance(utteranceId, GreetingPending, receivedAtUtc);
        _utterances[utteranceId] = utterance;
        _anyAgentAudio = true;
        _playingId = utteranceId;
        isNew = true;
        return utterance;
    }

    /// <summary>The caller finished a turn: what the agent says next answers it, it is no greeting.</summary>
    public void OnCallerTurnEnded() => _callerTurnEnded = true;

    /// <summary>Barge-in flushes <paramref name="utterance"/>: the rest of its audio is dropped.</summary>
    public static void Interrupt(PlayoutUtterance utterance) => utterance.Interrupted = true;

    /// <summary>The gateway wrote the first frame of <paramref name="utterance"/>.</summary>
    public static void OnPlayoutStarted(PlayoutUtterance utterance, DateTime atUtc) => utterance.PlayoutStartedUtc = atUtc;

    /// <summary>The gateway finished or flushed <paramref name="utterance"/>.</summary>
    public void OnPlayoutEnded(PlayoutUtterance utterance, DateTime atUtc)
    {
        utterance.PlayoutEndedUtc = atUtc;
        LastPlayoutEndedUtc = atUtc;
        if (_playingId == utterance.Id)
        {
            _playingId = null;
        }

        if (_utterances.Count > KeepAtMost)
        {
            foreach (var id in _utterances.Where(u => u.Value.PlayoutEndedUtc is not null).Select(u => u.Key).ToList())
            {
                _utterances.Remove(id);
            }
        }
    }
}
