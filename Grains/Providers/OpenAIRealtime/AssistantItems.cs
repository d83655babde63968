using System.Diagnostics.CodeAnalysis;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// The assistant items of a call by item id and by utterance id (1, 2, … in order of appearance), the newest
/// <see cref="MaxTracked"/> of them; each new one also joins the history.
/// </summary>
/// <remarks>Not thread-safe: <see cref="RealtimeConversation"/> calls it under its lock.</remarks>
internal sealed class AssistantItems(ConversationHistory history)
{
    private const int MaxTracked = 32;

    private readonly Dictionary<string, AssistantItem> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<int, AssistantItem> _byUtterance = [];
    private int _nextUtteranceId;

    /// <summary>The tracked items.</summary>
    public IEnumerable<AssistantItem> All => _byUtterance.Values;

    public bool TryGet(int utteranceId, [MaybeNullWhen(false)] out AssistantItem item) => _byUtterance.TryGetValue(utteranceId, out item);

    public bool TryGet(string itemId, [MaybeNullWhen(false)] out AssistantItem item) => _byId.TryGetValue(itemId, out item);

    /// <summary>
    /// The item <paramref name="itemId"/>, added on first sight with the next utterance id on connection
    /// <paramref name="epoch"/>: of <paramref name="responseId"/> if the event names it, else of the active response.
    /// An item added to an answer we already cancelled (<paramref name="cancelledResponseId"/>) is cancelled too.
    /// </summary>
    public AssistantItem GetOrAdd(string itemId, string? responseId, int epoch, string? activeResponseId, string? cancelledResponseId)
    {
        if (_byId.TryGetValue(itemId, out var item))
        {
            item.ResponseId ??= responseId;
            return item;
        }

        item = new AssistantItem(++_nextUtteranceId, itemId, epoch) { ResponseId = responseId ?? activeResponseId };
        item.Cancelled = item.ResponseId is not null && item.ResponseId == cancelledResponseId;
        _byId[itemId] = item;
        _byUtterance[item.UtteranceId] = item;
        history.AddAssistantItem(item);
        if (_byUtterance.Count > MaxTracked)
        {
            var oldest = _byUtterance[_byUtterance.Keys.Min()];
            _byUtterance.Remove(oldest.UtteranceId);
            _byId.Remove(oldest.ItemId);
        }

        return item;
    }
}
