using System.Text;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

// OpenAIRealtimeSession, part: Conversation state: assistant items and utterance ids, and the history re-seeded after a reconnect (callers hold the gate).
public sealed partial class OpenAIRealtimeSession
{
    private AssistantItem GetOrAddItem(string itemId, string? responseId, Connection connection)
    {
        if (_itemsById.TryGetValue(itemId, out var item))
        {
            item.ResponseId ??= responseId;
            return item;
        }

        item = new AssistantItem(++_nextUtteranceId, itemId, connection.Epoch) { ResponseId = responseId ?? _activeResponseId };
        // An item the server adds to an answer we already cancelled: nothing of it is played.
        item.Cancelled = item.ResponseId is not null && item.ResponseId == _cancelledResponseId;
        _itemsById[itemId] = item;
        _itemsByUtterance[item.UtteranceId] = item;
        AddHistory(new HistoryEntry("assistant", string.Empty) { ItemId = itemId, Assistant = item });
        if (_itemsByUtterance.Count > MaxTrackedUtterances)
        {
            var oldest = _itemsByUtterance[_itemsByUtterance.Keys.Min()];
            _itemsByUtterance.Remove(oldest.UtteranceId);
            _itemsById.Remove(oldest.ItemId);
        }

        return item;
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

    private void AddHistory(HistoryEntry entry)
    {
        _history.Add(entry);
        if (_history.Count > MaxHistoryItems * 2)
        {
            _history.RemoveRange(0, _history.Count - MaxHistoryItems);
        }
    }

    /// <summary>The conversation so far as text items, newest last, capped in items and characters.</summary>
    private List<RealtimeMessageItem> BuildSeed()
    {
        var seed = new List<RealtimeMessageItem>();
        var chars = 0;
        for (var i = _history.Count - 1; i >= 0 && seed.Count < MaxHistoryItems; i--)
        {
            var entry = _history[i];
            var text = entry.Assistant is { } a ? Heard(a) : entry.Text;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            chars += text.Length;
            if (chars > MaxHistoryChars)
            {
                break;
            }

            seed.Add(entry.Role == "assistant"
                ? new RealtimeMessageItem("assistant", [new RealtimeContentPart("output_text", text)])
                : new RealtimeMessageItem("user", [new RealtimeContentPart("input_text", text)]));
        }

        seed.Reverse();
        return seed;
    }

    /// <summary>What the caller heard of an assistant item: all of it, or the played share of it after a barge-in.</summary>
    private static string Heard(AssistantItem item)
    {
        var text = item.Transcript.ToString();
        if (item.HeardRatio >= 1)
        {
            return text;
        }

        var cut = (int)(text.Length * item.HeardRatio);
        if (cut <= 0)
        {
            return string.Empty;
        }

        var space = text.LastIndexOf(' ', Math.Min(cut, text.Length - 1));
        return (space > 0 ? text[..space] : text[..cut]).TrimEnd() + "…";
    }

    /// <summary>
    /// The final transcript of an item whose <c>output_audio_transcript.done</c> was held back until the played
    /// share was known (caller holds the gate); null when there is none or it was already published.
    /// </summary>
    private static string? TakeDeferredTranscript(AssistantItem item)
    {
        if (!item.TranscriptDone || item.TranscriptPublished)
        {
            return null;
        }

        item.TranscriptPublished = true;
        return Heard(item);
    }

    private void PublishHeard(string? heard)
    {
        if (!string.IsNullOrEmpty(heard))
        {
            Publish(new AgentTranscript(heard, IsFinal: true));
        }
    }

    /// <summary>
    /// Publishes held-back final transcripts whose played share will not be reported any more (a new answer started,
    /// the connection was lost, the session stops): with what is known of what was heard.
    /// </summary>
    private void FlushDeferredTranscripts()
    {
        List<string>? texts = null;
        lock (_gate)
        {
            foreach (var item in _itemsByUtterance.Values)
            {
                if (TakeDeferredTranscript(item) is { Length: > 0 } text)
                {
                    (texts ??= []).Add(text);
                }
            }
        }

        foreach (var text in texts ?? [])
        {
            Publish(new AgentTranscript(text, IsFinal: true));
        }
    }

    /// <summary>
    /// Closes what a replaced connection left open: its utterances end, held-back transcripts go out, and an answer
    /// under way (or owed) is noted. After a drop (<paramref name="lost"/>) it is asked for again once re-seeded;
    /// after a rollover the caller asks for it on the new session. Returns whether an answer was under way.
    /// </summary>
    private bool SettleOldConnection(int epoch, bool lost)
    {
        var done = new List<int>();
        bool resume;
        lock (_gate)
        {
            foreach (var item in _itemsByUtterance.Values)
            {
                if (item.Epoch == epoch && MarkAudioDone(item) is { } u)
                {
                    done.Add(u);
                }
            }

            resume = _activeResponseId is not null || _responseRequested || _responsePending;
            _activeResponseId = null;
            _responseRequested = !lost && resume;
            _responsePending = false;
            _userSpeaking = false;
            _userTranscripts.Clear();
            if (lost)
            {
                _resumeAfterReconnect = resume;
            }
        }

        foreach (var u in done)
        {
            Publish(new AgentAudioDone(u));
        }

        FlushDeferredTranscripts();
        return resume;
    }

    /// <summary>An assistant item: one agent utterance.</summary>
    private sealed class AssistantItem(int utteranceId, string itemId, int epoch)
    {
        public int UtteranceId { get; } = utteranceId;

        public string ItemId { get; } = itemId;

        public int Epoch { get; } = epoch;

        public string? ResponseId { get; set; }

        public long ReceivedBytes { get; set; }

        public bool AudioDone { get; set; }

        public bool Interrupted { get; set; }

        /// <summary>Its response was cancelled by a barge-in: later audio is dropped, the final transcript waits for the played share.</summary>
        public bool Cancelled { get; set; }

        public bool TranscriptDone { get; set; }

        /// <summary>When its audio received so far has finished playing, at the earliest (ms on the session's NowMs clock).</summary>
        public long PlayoutEndsAtMs { get; set; }

        public bool TranscriptPublished { get; set; }

        public double HeardRatio { get; set; } = 1;

        public StringBuilder Transcript { get; } = new();
    }

    /// <summary>One conversation turn kept for re-seeding after a reconnect.</summary>
    private sealed class HistoryEntry(string role, string text)
    {
        public string Role { get; } = role;

        public string Text { get; set; } = text;

        public string? ItemId { get; init; }

        public AssistantItem? Assistant { get; init; }
    }
}
