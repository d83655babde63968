namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>One conversation turn kept for re-seeding after a reconnect.</summary>
internal sealed class HistoryEntry(string role, string text)
{
    public string Role { get; } = role;

    public string Text { get; set; } = text;

    public string? ItemId { get; init; }

    public AssistantItem? Assistant { get; init; }
}
