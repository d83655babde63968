using System.Text;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>An assistant item: one agent utterance (state of <see cref="RealtimeConversation"/>, under its lock).</summary>
internal sealed class AssistantItem(int utteranceId, string itemId, int epoch)
{
    public int UtteranceId { get; } = utteranceId;

    public string ItemId { get; } = itemId;

    /// <summary>The connection it arrived on: a truncate or cancel for it only makes sense there.</summary>
    public int Epoch { get; } = epoch;

    public string? ResponseId { get; set; }

    public long ReceivedBytes { get; set; }

    public bool AudioDone { get; set; }

    public bool Interrupted { get; set; }

    /// <summary>Its response was cancelled by a barge-in: later audio is dropped, the final transcript waits for the played share.</summary>
    public bool Cancelled { get; set; }

    public bool TranscriptDone { get; set; }

    /// <summary>When its audio received so far will have played (a <see cref="TimeProvider"/> timestamp; 0 before any arrived).</summary>
    public long PlayedAt { get; set; }

    public bool TranscriptPublished { get; set; }

    public double HeardRatio { get; set; } = 1;

    public StringBuilder Transcript { get; } = new();

    /// <summary>What the caller heard of it: all of it, or the played share of its words after a barge-in (ending "…").</summary>
    public string Heard()
    {
        var text = Transcript.ToString();
        if (HeardRatio >= 1)
        {
            return text;
        }

        var cut = (int)(text.Length * HeardRatio);
        if (cut <= 0)
        {
            return string.Empty;
        }

        var space = text.LastIndexOf(' ', Math.Min(cut, text.Length - 1));
        return (space > 0 ? text[..space] : text[..cut]).TrimEnd() + "…";
    }

    /// <summary>
    /// The final transcript once <c>output_audio_transcript.done</c> came and the played share is known; null when
    /// there is none or it was already taken.
    /// </summary>
    public string? TakeFinalTranscript()
    {
        if (!TranscriptDone || TranscriptPublished)
        {
            return null;
        }

        TranscriptPublished = true;
        return Heard();
    }
}
