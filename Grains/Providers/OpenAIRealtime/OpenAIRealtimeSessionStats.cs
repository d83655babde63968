namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>Counters of one OpenAI Realtime session (a snapshot; every fault is counted).</summary>
public sealed record OpenAIRealtimeSessionStats
{
    /// <summary><c>input_audio_buffer.append</c> events sent.</summary>
    public long AudioChunksSent { get; init; }

    /// <summary>Caller audio bytes sent (in the input format).</summary>
    public long AudioBytesSent { get; init; }

    /// <summary>Caller audio chunks dropped (while reconnecting, or when the send queue was backed up).</summary>
    public long AudioChunksDropped { get; init; }

    /// <summary>Agent audio bytes received (in the output format).</summary>
    public long AgentAudioBytes { get; init; }

    /// <summary><c>response.created</c> events.</summary>
    public int ResponsesStarted { get; init; }

    /// <summary><c>response.done</c> events.</summary>
    public int Responses { get; init; }

    /// <summary>Responses that ended <c>cancelled</c>.</summary>
    public int ResponsesCancelled { get; init; }

    /// <summary>Input tokens over all responses.</summary>
    public long InputTokens { get; init; }

    /// <summary>Cached input tokens over all responses.</summary>
    public long CachedInputTokens { get; init; }

    /// <summary>Output tokens over all responses.</summary>
    public long OutputTokens { get; init; }

    /// <summary>Server <c>error</c> events.</summary>
    public int Errors { get; init; }

    /// <summary>Rate-limit errors (error events or failed responses).</summary>
    public int RateLimitErrors { get; init; }

    /// <summary>Connections lost (drops and session expiries).</summary>
    public int ConnectionsLost { get; init; }

    /// <summary>Successful reconnects.</summary>
    public int Reconnects { get; init; }

    /// <summary><c>response.cancel</c> events sent (barge-ins over an answer in progress).</summary>
    public int CancelsSent { get; init; }

    /// <summary>Planned rollovers to a new session before the old one expired (also counted in <see cref="Reconnects"/>).</summary>
    public int Rollovers { get; init; }

    /// <summary>Responses that ended <c>incomplete</c> (content filter, max output tokens).</summary>
    public int ResponsesIncomplete { get; init; }

    /// <summary><c>conversation.item.truncate</c> events sent.</summary>
    public int Truncations { get; init; }

    /// <summary><c>conversation.item.truncated</c> confirmations received.</summary>
    public int TruncationsConfirmed { get; init; }

    /// <summary>The last <c>rate_limits.updated</c> remaining requests, if reported.</summary>
    public long? RemainingRequests { get; init; }

    /// <summary>The last <c>rate_limits.updated</c> remaining tokens, if reported.</summary>
    public long? RemainingTokens { get; init; }
}
