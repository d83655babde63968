namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>What a barge-in report leads to: the heard transcript to publish, and the truncate to send (null: nothing to truncate).</summary>
internal sealed record Interruption(string? Heard, Truncation? Truncate);

/// <summary>A <c>conversation.item.truncate</c> to send on connection <paramref name="Epoch"/>, after a <c>response.cancel</c> of <paramref name="CancelResponseId"/> if set.</summary>
internal sealed record Truncation(string ItemId, long AudioEndMs, long ReceivedMs, int Epoch, string? CancelResponseId);

/// <summary>
/// An agent's final transcript: publish <paramref name="Final"/> now, or hold <paramref name="HoldFor"/>'s until its
/// playout ends in <paramref name="HoldMs"/>; neither while a cancelled item waits for its played share.
/// </summary>
internal readonly record struct TranscriptDecision(string? Final, AssistantItem? HoldFor, long HoldMs);
