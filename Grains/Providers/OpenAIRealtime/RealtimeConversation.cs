using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// The conversation of one call's OpenAI Realtime session, across its connections: assistant items and their
/// utterance ids, what the caller heard of each, the response in progress (or owed), the caller's speech, and the
/// history re-seeded after a reconnect. Each method takes the lock, updates the state and returns what the session
/// must send or publish, which it does outside the lock.
/// </summary>
/// <remarks>Touched by the receive loop and the grain's calls: every member takes <see cref="_gate"/>, none awaits.</remarks>
internal sealed class RealtimeConversation
{
    // The gateway plays an utterance a little later than its audio arrives here (stream hop, pacing start, jitter
    // buffer): a final transcript waits this long past the estimated end of playout before counting it as all heard.
    private const long TranscriptGraceMs = 1_000;

    private readonly Lock _gate = new();
    private readonly AudioFormat _output;
    private readonly TimeProvider _time;
    private readonly ConversationHistory _history = new();
    private readonly AssistantItems _items;
    private int _epoch;
    private readonly ResponseState _responses = new();
    private bool _userSpeaking;
    private bool _resumed;

    /// <summary>A conversation whose agent audio arrives in <paramref name="output"/>, timed on <paramref name="time"/>.</summary>
    public RealtimeConversation(AudioFormat output, TimeProvider time)
    {
        _output = output;
        _time = time;
        _items = new AssistantItems(_history);
    }

    /// <summary>
    /// The call resumes a conversation its lost silo was holding: every connection, the first included, is seeded
    /// with <paramref name="prior"/> (and what follows); none greets. When the caller had the last word (a line or a
    /// key) the answer is still owed, and the first connection asks for it. Returns whether it does.
    /// </summary>
    public bool Resume(IReadOnlyList<TranscriptLine> prior)
    {
        lock (_gate)
        {
            _resumed = true;
            _history.AddPrior(prior);
            var answerOwed = prior.Count > 0 && prior[^1].Role is "caller" or "dtmf" && !string.IsNullOrWhiteSpace(prior[^1].Text);
            if (answerOwed)
            {
                _responses.OweAnswerAtStart();
            }

            return answerOwed;
        }
    }

    /// <summary>
    /// Nothing in the conversation a session switch would cut: no answer under way or owed, caller silent (the agent
    /// audio still playing is the transport's <c>AgentPlayout</c> to judge).
    /// </summary>
    public bool IsQuiet
    {
        get
        {
            lock (_gate)
            {
                return _responses.IsIdle && !_userSpeaking;
            }
        }
    }

    /// <summary>An answer is asked for, owed by server VAD, or under way: the server has something to stream.</summary>
    public bool AnswerDue
    {
        get
        {
            lock (_gate)
            {
                return !_responses.IsIdle;
            }
        }
    }

    /// <summary>We send a <c>response.create</c> (the greeting): until <c>response.created</c> nothing else may ask.</summary>
    public void ResponseRequested()
    {
        lock (_gate)
        {
            _responses.Requested();
        }
    }

    /// <summary>
    /// A user text item (a DTMF note) joins the conversation. True when a <c>response.create</c> may follow at once;
    /// false when a response is active or asked for (a second one is an API error): it is then owed after that one.
    /// </summary>
    public bool AddUserText(string text)
    {
        lock (_gate)
        {
            _history.AddUserText(text);
            return _responses.AskOrOwe();
        }
    }

    /// <summary>
    /// A <c>response.create</c> after function outputs: true when it may go now; false when a response is active or
    /// asked for (it is then owed, and goes when that one is done).
    /// </summary>
    public bool AskForResponse()
    {
        lock (_gate)
        {
            return _responses.AskOrOwe();
        }
    }

    /// <summary>
    /// A barge-in over the active response: its id and connection epoch to cancel, or null when none is active
    /// (between <c>response.created</c> and <c>response.done</c>) or it was cancelled already.
    /// </summary>
    public (string ResponseId, int Epoch)? CancelActiveResponse()
    {
        lock (_gate)
        {
            if (_responses.CancelActive() is not { } responseId)
            {
                return null;
            }

            foreach (var item in _items.All)
            {
                if (item.ResponseId == responseId)
                {
                    item.Cancelled = true;
                }
            }

            return (responseId, _epoch);
        }
    }

    /// <summary>
    /// The caller heard <paramref name="playedMilliseconds"/> of <paramref name="utteranceId"/> before a barge-in:
    /// what they heard, and the truncate (and cancel) to send; null when the utterance is unknown or was reported already.
    /// </summary>
    public Interruption? Interrupt(int utteranceId, long playedMilliseconds)
    {
        lock (_gate)
        {
            if (!_items.TryGet(utteranceId, out var item) || item.Interrupted)
            {
                return null;
            }

            item.Interrupted = true;
            var receivedMs = _output.MillisecondsOf(item.ReceivedBytes);
            var audioEndMs = Math.Clamp(playedMilliseconds, 0, receivedMs);
            item.HeardRatio = receivedMs == 0 ? 0 : (double)audioEndMs / receivedMs;
            // A final transcript held back by the cancel (see AgentTranscriptDone) is now known: what was heard.
            var heard = item.TakeFinalTranscript();
            if (item.Epoch != _epoch || receivedMs == 0)
            {
                // The item lived on a connection that has since been replaced (the new session does not know it), or
                // none of its audio ever reached the caller: there is nothing to truncate.
                return new Interruption(heard, null);
            }

            // Cancel only while the item's audio is still being generated and nobody cancelled it yet: once
            // output_audio.done has arrived there is nothing left to stop, and a cancel racing the response's end only
            // draws response_cancel_not_active.
            var cancel = !item.AudioDone && !item.Cancelled && item.ResponseId is not null && item.ResponseId == _responses.Active ? item.ResponseId : null;
            if (cancel is not null)
            {
                _responses.MarkCancelled(cancel);
            }

            return new Interruption(heard, new Truncation(item.ItemId, audioEndMs, receivedMs, item.Epoch, cancel));
        }
    }

    /// <summary>
    /// Server VAD heard the caller start (true) or stop (false). A stop commits the turn and the server answers it
    /// unasked (<c>create_response</c> is on): until that answer's <c>response.created</c> the conversation is not
    /// quiet, and a <c>response.create</c> of ours waits for it instead of colliding with it.
    /// </summary>
    public void SetUserSpeaking(bool speaking)
    {
        lock (_gate)
        {
            _userSpeaking = speaking;
            if (!speaking)
            {
                _responses.ServerWillRespond();
            }
        }
    }

    /// <summary>The caller's audio became user item <paramref name="itemId"/>; its transcript follows.</summary>
    public void UserItemCommitted(string itemId)
    {
        lock (_gate)
        {
            _history.AddUserItem(itemId);
        }
    }

    /// <summary>A transcription delta of a user item; returns the text so far.</summary>
    public string AppendUserTranscript(string itemId, string delta)
    {
        lock (_gate)
        {
            return _history.AppendUserTranscript(itemId, delta);
        }
    }

    /// <summary>The final transcript of a user item (kept for re-seeding).</summary>
    public void CompleteUserTranscript(string? itemId, string transcript)
    {
        if (itemId is null)
        {
            return;
        }

        lock (_gate)
        {
            _history.CompleteUserTranscript(itemId, transcript);
        }
    }

    /// <summary><c>response.created</c>: that response is active; a response asked for has started.</summary>
    public void ResponseCreated(string? responseId)
    {
        lock (_gate)
        {
            _responses.Created(responseId);
        }
    }

    /// <summary>An assistant item appeared (<c>response.output_item.added</c>) on connection <paramref name="epoch"/>.</summary>
    public void AddAssistantItem(string itemId, string? responseId, int epoch)
    {
        lock (_gate)
        {
            GetOrAddItem(itemId, responseId, epoch);
        }
    }

    /// <summary>The utterance an audio delta of <paramref name="itemId"/> belongs to; null when the caller barged in over it (the rest is not played).</summary>
    public int? AudioUtterance(string itemId, string? responseId, int epoch)
    {
        lock (_gate)
        {
            var item = GetOrAddItem(itemId, responseId, epoch);
            return item.Interrupted || item.Cancelled || item.AudioDone ? null : item.UtteranceId;
        }
    }

    /// <summary>
    /// <paramref name="bytes"/> of agent audio of <paramref name="itemId"/> go to the caller; by the playout estimate
    /// they will have played at <paramref name="playedAt"/> (a <see cref="TimeProvider"/> timestamp).
    /// </summary>
    public void AudioReceived(string itemId, int bytes, long playedAt)
    {
        lock (_gate)
        {
            var item = _items.TryGet(itemId, out var found) ? found : null;
            if (item is not null)
            {
                item.ReceivedBytes += bytes;
            }

            if (item is not null)
            {
                item.PlayedAt = playedAt;
            }
        }
    }

    /// <summary>An agent transcript delta; returns the item's text so far.</summary>
    public string AppendAgentTranscript(string itemId, string? responseId, int epoch, string delta)
    {
        lock (_gate)
        {
            return GetOrAddItem(itemId, responseId, epoch).Transcript.Append(delta).ToString();
        }
    }

    /// <summary>
    /// The final agent transcript is what the caller heard. Audio arrives faster than real time, so when the text is
    /// complete the caller may still be listening and may yet barge in: the line is held until the item's audio has
    /// (by the estimate, plus a grace for the gateway's lag) finished playing, or until a barge-in reports the played
    /// share (<see cref="Interrupt"/>), whichever comes first.
    /// </summary>
    public TranscriptDecision AgentTranscriptDone(string itemId, string? responseId, int epoch, string? transcript)
    {
        lock (_gate)
        {
            var item = GetOrAddItem(itemId, responseId, epoch);
            item.Transcript.Clear().Append(transcript);
            item.TranscriptDone = true;
            var waitMs = (long)(item.PlayedAt == 0 ? 0 : _time.GetElapsedTime(_time.GetTimestamp(), item.PlayedAt).TotalMilliseconds) + TranscriptGraceMs;
            if (item.Interrupted || item.ReceivedBytes == 0 || (!item.Cancelled && waitMs <= 0))
            {
                // Known already: the flush was reported, no audio of it reached the caller, or it has all played.
                return new TranscriptDecision(item.TakeFinalTranscript(), null, 0);
            }

            // Cancelled while its audio was playing: wait for the played share (Interrupt); otherwise for the playout.
            return item.Cancelled ? default : new TranscriptDecision(null, item, waitMs);
        }
    }

    /// <summary>A held final transcript whose playout has ended; null when a barge-in published it first.</summary>
    public string? TakeFinalTranscript(AssistantItem item)
    {
        lock (_gate)
        {
            return item.TakeFinalTranscript();
        }
    }

    /// <summary>
    /// Held final transcripts whose played share will not be reported any more (a new answer started, the connection
    /// was lost, the session stops), with what is known of what was heard.
    /// </summary>
    public List<string> TakeHeldTranscripts()
    {
        var texts = new List<string>();
        lock (_gate)
        {
            foreach (var item in _items.All)
            {
                if (item.TakeFinalTranscript() is { Length: > 0 } text)
                {
                    texts.Add(text);
                }
            }
        }

        return texts;
    }

    /// <summary><c>output_audio.done</c> of an item: its utterance id, once.</summary>
    public int? AudioDone(string itemId, string? responseId, int epoch)
    {
        lock (_gate)
        {
            return MarkAudioDone(GetOrAddItem(itemId, responseId, epoch));
        }
    }

    /// <summary>
    /// <c>response.done</c>: the utterances of that response that end now, and whether a <c>response.create</c> owed
    /// (a DTMF note during the response) goes out now.
    /// </summary>
    public (List<int> Done, bool CreatePending) ResponseDone(string? responseId)
    {
        var done = new List<int>();
        lock (_gate)
        {
            foreach (var item in _items.All)
            {
                if (item.ResponseId is not null && item.ResponseId == responseId && MarkAudioDone(item) is { } u)
                {
                    done.Add(u);
                }
            }

            return (done, _responses.Done(responseId));
        }
    }

    /// <summary>
    /// The server refused a request: a refused <c>response.create</c> (or a rate limit) means nothing is coming, so
    /// DTMF must not wait for it; <c>conversation_already_has_active_response</c> means a server-VAD response started
    /// between our check and our <c>response.create</c>: answer after it.
    /// </summary>
    public void RequestRefused(bool responseRefused, bool responseAlreadyActive)
    {
        lock (_gate)
        {
            _responses.Refused(responseRefused, responseAlreadyActive);
        }
    }

    /// <summary>
    /// A new connection is configured: its epoch, the conversation so far as text items to re-seed it with (none on
    /// the first connection of a new call; never the greeting again), and whether an answer a dropped connection cut
    /// off (or a resumed call still owes) is asked for.
    /// </summary>
    public (int Epoch, List<RealtimeMessageItem> Seed, bool Resume) BeginConnection(int attempt, bool rollover)
    {
        lock (_gate)
        {
            var epoch = ++_epoch;
            var seed = attempt == 0 && !rollover && !_resumed ? [] : _history.BuildSeed();
            return (epoch, seed, _responses.BeginConnection(attempt, rollover));
        }
    }

    /// <summary>
    /// Closes what a replaced connection left open: its utterances end (returned) and an answer under way (or owed)
    /// is noted. After a drop (<paramref name="lost"/>) it is asked for again once re-seeded; after a rollover the
    /// caller asks for it on the new session. Resume: whether an answer was under way.
    /// </summary>
    public (List<int> Done, bool Resume) Settle(int epoch, bool lost)
    {
        var done = new List<int>();
        lock (_gate)
        {
            foreach (var item in _items.All)
            {
                if (item.Epoch == epoch && MarkAudioDone(item) is { } u)
                {
                    done.Add(u);
                }
            }

            _userSpeaking = false;
            _history.DropPartialTranscripts();
            return (done, _responses.Settle(lost));
        }
    }

    private static int? MarkAudioDone(AssistantItem item)
    {
        if (item.AudioDone)
        {
            return null;
        }

        item.AudioDone = true;
        return item.UtteranceId;
    }

    private AssistantItem GetOrAddItem(string itemId, string? responseId, int epoch) =>
        _items.GetOrAdd(itemId, responseId, epoch, _responses.Active, _responses.Cancelled);
}
