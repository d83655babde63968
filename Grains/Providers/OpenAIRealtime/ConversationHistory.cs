using System.Text;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// The conversation so far, kept to re-seed a new connection as text items (the API cannot create assistant audio
/// items): user transcripts and DTMF notes, and what the caller heard of each assistant item.
/// </summary>
/// <remarks>Not thread-safe: <see cref="RealtimeConversation"/> calls it under its lock.</remarks>
internal sealed class ConversationHistory
{
    private const int MaxItems = 40;
    private const int MaxChars = 16_000;

    private readonly List<HistoryEntry> _entries = [];
    private readonly Dictionary<string, StringBuilder> _userTranscripts = new(StringComparer.Ordinal);

    /// <summary>The user text item that tells the model the caller pressed <paramref name="key"/>.</summary>
    public static string DtmfNote(string key) => $"The caller pressed the phone key '{key}'.";

    /// <summary>
    /// The persisted conversation of a resumed call, oldest first: caller lines become user text, agent lines assistant
    /// text (what the caller heard), DTMF lines the same note a live key press gives. Capped like everything else.
    /// </summary>
    public void AddPrior(IReadOnlyList<TranscriptLine> lines)
    {
        foreach (var line in lines)
        {
            if (string.IsNullOrWhiteSpace(line.Text))
            {
                continue;
            }

            switch (line.Role)
            {
                case "caller":
                    AddUserText(line.Text);
                    break;
                case "agent":
                    Add(new HistoryEntry("assistant", line.Text));
                    break;
                case "dtmf":
                    AddUserText(DtmfNote(line.Text));
                    break;
            }
        }
    }

    /// <summary>A user text item (a DTMF note).</summary>
    public void AddUserText(string text) => Add(new HistoryEntry("user", text));

    /// <summary>A user audio item whose transcript follows.</summary>
    public void AddUserItem(string itemId) => Add(new HistoryEntry("user", string.Empty) { ItemId = itemId });

    /// <summary>An assistant item: re-seeded with what the caller heard of it.</summary>
    public void AddAssistantItem(AssistantItem item) => Add(new HistoryEntry("assistant", string.Empty) { ItemId = item.ItemId, Assistant = item });

    /// <summary>A transcription delta of a user item; returns the text so far.</summary>
    public string AppendUserTranscript(string itemId, string delta)
    {
        if (!_userTranscripts.TryGetValue(itemId, out var text))
        {
            _userTranscripts[itemId] = text = new StringBuilder();
        }

        return text.Append(delta).ToString();
    }

    /// <summary>The final transcript of a user item.</summary>
    public void CompleteUserTranscript(string itemId, string transcript)
    {
        _userTranscripts.Remove(itemId);
        if (_entries.FindLast(h => h.ItemId == itemId) is { } entry)
        {
            entry.Text = transcript;
        }
    }

    /// <summary>A connection ended: transcripts in progress there will not complete.</summary>
    public void DropPartialTranscripts() => _userTranscripts.Clear();

    /// <summary>The conversation so far as text items, newest last, capped in items and characters.</summary>
    public List<RealtimeMessageItem> BuildSeed()
    {
        var seed = new List<RealtimeMessageItem>();
        var chars = 0;
        for (var i = _entries.Count - 1; i >= 0 && seed.Count < MaxItems; i--)
        {
            var entry = _entries[i];
            var text = entry.Assistant is { } a ? a.Heard() : entry.Text;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            chars += text.Length;
            if (chars > MaxChars)
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

    private void Add(HistoryEntry entry)
    {
        _entries.Add(entry);
        if (_entries.Count > MaxItems * 2)
        {
            _entries.RemoveRange(0, _entries.Count - MaxItems);
        }
    }
}
