using AiAgent.Grains.Interfaces.Audio;
using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>Source-generated log events of the OpenAI Realtime provider (event ids 4100–4199). Never a key.</summary>
internal static partial class OpenAIRealtimeLog
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information,
        Message = "OpenAI Realtime session started for call {CallId}: model {Model}, input {InputFormat}, output {OutputFormat}, session {SessionId}")]
    public static partial void SessionStarted(ILogger logger, Guid callId, string model, AudioFormat inputFormat, AudioFormat outputFormat, string? sessionId);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Debug, Message = "Connecting call {CallId} to {Uri} (attempt {Attempt})")]
    public static partial void Connecting(ILogger logger, Guid callId, Uri uri, int attempt);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "OpenAI Realtime rejected the API key for call {CallId}: {Code} {Message}")]
    public static partial void AuthenticationFailed(ILogger logger, Guid callId, string code, string message);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "OpenAI Realtime error for call {CallId}: {ErrorType}/{Code} on {ClientEventType} ({ClientEventId}), param {Param}: {Message}")]
    public static partial void ServerError(ILogger logger, Guid callId, string errorType, string code, string clientEventType, string? clientEventId, string? param, string message);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Warning, Message = "OpenAI Realtime connection of call {CallId} lost ({Reason}); reconnecting, attempt {Attempt} of {MaxAttempts}")]
    public static partial void Reconnecting(ILogger logger, Guid callId, string reason, int attempt, int maxAttempts);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Information, Message = "OpenAI Realtime session of call {CallId} reconnected on attempt {Attempt}, {Items} conversation items re-seeded, session {SessionId}")]
    public static partial void Reconnected(ILogger logger, Guid callId, int attempt, int items, string? sessionId);

    [LoggerMessage(EventId = 4106, Level = LogLevel.Error, Message = "OpenAI Realtime session of call {CallId} ended: {Reason}")]
    public static partial void SessionFailed(ILogger logger, Guid callId, string reason, Exception? exception);

    [LoggerMessage(EventId = 4107, Level = LogLevel.Information, Message = "OpenAI Realtime response {ResponseId} of call {CallId} {Status}: {InputTokens} input tokens ({CachedTokens} cached), {OutputTokens} output tokens")]
    public static partial void ResponseDone(ILogger logger, string responseId, Guid callId, string status, int inputTokens, int cachedTokens, int outputTokens);

    [LoggerMessage(EventId = 4108, Level = LogLevel.Debug, Message = "OpenAI Realtime rate limit for call {CallId}: {Name} {Remaining}/{Limit}, resets in {ResetSeconds} s")]
    public static partial void RateLimit(ILogger logger, Guid callId, string name, long remaining, long limit, double resetSeconds);

    [LoggerMessage(EventId = 4109, Level = LogLevel.Debug, Message = "Barge-in on call {CallId}: truncating {ItemId} at {AudioEndMs} ms (played {PlayedMs} ms, received {ReceivedMs} ms), cancel {Cancel}")]
    public static partial void Truncating(ILogger logger, Guid callId, string itemId, long audioEndMs, long playedMs, long receivedMs, bool cancel);

    [LoggerMessage(EventId = 4110, Level = LogLevel.Debug, Message = "OpenAI Realtime confirmed truncation of {ItemId} at {AudioEndMs} ms for call {CallId}")]
    public static partial void Truncated(ILogger logger, string? itemId, long? audioEndMs, Guid callId);

    [LoggerMessage(EventId = 4111, Level = LogLevel.Warning, Message = "Unreadable OpenAI Realtime event for call {CallId}: {Reason}")]
    public static partial void BadServerEvent(ILogger logger, Guid callId, string reason);

    [LoggerMessage(EventId = 4112, Level = LogLevel.Information, Message = "OpenAI Realtime session of call {CallId} closed: {Reason}")]
    public static partial void SessionClosed(ILogger logger, Guid callId, string reason);

    [LoggerMessage(EventId = 4113, Level = LogLevel.Debug, Message = "Ignored benign OpenAI Realtime error for call {CallId}: {Code}")]
    public static partial void BenignError(ILogger logger, Guid callId, string code);

    [LoggerMessage(EventId = 4114, Level = LogLevel.Warning, Message = "Send queue of call {CallId} is full ({Capacity} items); dropping the oldest caller audio")]
    public static partial void AudioBacklog(ILogger logger, Guid callId, int capacity);

    [LoggerMessage(EventId = 4116, Level = LogLevel.Debug, Message = "Barge-in on call {CallId}: cancelling response {ResponseId}")]
    public static partial void CancellingResponse(ILogger logger, Guid callId, string responseId);

    [LoggerMessage(EventId = 4117, Level = LogLevel.Information, Message = "OpenAI Realtime response {ResponseId} of call {CallId} ended {Status}: {Reason}")]
    public static partial void ResponseEndedEarly(ILogger logger, string responseId, Guid callId, string status, string reason);

    [LoggerMessage(EventId = 4118, Level = LogLevel.Information, Message = "OpenAI Realtime session of call {CallId} expires at {ExpiresAt:o}; rollover planned at {PlannedAt:o}")]
    public static partial void RolloverPlanned(ILogger logger, Guid callId, DateTimeOffset expiresAt, DateTimeOffset plannedAt);

    [LoggerMessage(EventId = 4119, Level = LogLevel.Information, Message = "OpenAI Realtime session of call {CallId} rolled over to session {SessionId} ({Why}), {Items} conversation items re-seeded")]
    public static partial void RolledOver(ILogger logger, Guid callId, string? sessionId, string why, int items);

    [LoggerMessage(EventId = 4120, Level = LogLevel.Warning, Message = "OpenAI Realtime rollover of call {CallId} failed ({Reason}); the session goes on until it expires")]
    public static partial void RolloverFailed(ILogger logger, Guid callId, string reason);

    [LoggerMessage(EventId = 4121, Level = LogLevel.Warning, Message = "DTMF on call {CallId} is not a telephone key (0-9, *, #, A-D); not forwarded to OpenAI Realtime")]
    public static partial void InvalidDtmf(ILogger logger, Guid callId);

    [LoggerMessage(EventId = 4122, Level = LogLevel.Information, Message = "OpenAI Realtime session of call {CallId} dropped {Bytes} bytes of caller audio (no connection ready, or the send queue was full)")]
    public static partial void CallerAudioDropped(ILogger logger, Guid callId, long bytes);

    [LoggerMessage(EventId = 4123, Level = LogLevel.Debug, Message = "OpenAI Realtime response {ResponseId} of call {CallId} created")]
    public static partial void ResponseCreated(ILogger logger, string? responseId, Guid callId);

    [LoggerMessage(EventId = 4130, Level = LogLevel.Information, Message = "OpenAI Realtime session of call {CallId} resumes the call: {Items} prior conversation items seeded, no greeting, answer asked for {AnswerAsked}, session {SessionId}")]
    public static partial void Resumed(ILogger logger, Guid callId, int items, bool answerAsked, string? sessionId);

    [LoggerMessage(EventId = 4115, Level = LogLevel.Error, Message = "OpenAI Realtime applied formats {InputFormat}/{OutputFormat} for call {CallId}, not the declared {DeclaredInput}/{DeclaredOutput}")]
    public static partial void FormatMismatch(ILogger logger, string inputFormat, string outputFormat, Guid callId, AudioFormat declaredInput, AudioFormat declaredOutput);
}
