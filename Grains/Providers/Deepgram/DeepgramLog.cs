using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>Source-generated log messages of the Deepgram provider (event ids 5100-5199). The API key is never logged.</summary>
internal static partial class DeepgramLog
{
    [LoggerMessage(5100, LogLevel.Information, "Deepgram connecting for call {CallId} to {Endpoint} (attempt {Attempt}, input {InputFormat}, output {OutputFormat})")]
    public static partial void Connecting(ILogger logger, Guid callId, string endpoint, int attempt, string inputFormat, string outputFormat);

    [LoggerMessage(5101, LogLevel.Information, "Deepgram Voice Agent session started for call {CallId}, request_id {RequestId}")]
    public static partial void SessionStarted(ILogger logger, Guid callId, string? requestId);

    [LoggerMessage(5102, LogLevel.Information, "Deepgram session for call {CallId} reconnected on attempt {Attempt}, request_id {RequestId}, {HistoryItems} history items re-seeded")]
    public static partial void Reconnected(ILogger logger, Guid callId, int attempt, string? requestId, int historyItems);

    [LoggerMessage(5103, LogLevel.Information, "Deepgram session for call {CallId} ended: {Reason} (hang up: {HangUp})")]
    public static partial void SessionEnded(ILogger logger, Guid callId, string reason, bool hangUp);

    [LoggerMessage(5104, LogLevel.Error, "Deepgram rejected the API key for call {CallId} (HTTP {StatusCode} at upgrade); check the variable named by providers.deepgram.api_key_env")]
    public static partial void AuthenticationFailed(ILogger logger, Guid callId, int statusCode);

    [LoggerMessage(5105, LogLevel.Error, "Deepgram API key missing for call {CallId}: environment variable {EnvVar} is not set")]
    public static partial void ApiKeyMissing(ILogger logger, Guid callId, string envVar);

    [LoggerMessage(5106, LogLevel.Warning, "Deepgram Error for call {CallId}, request_id {RequestId}: {Code} {Description}")]
    public static partial void ServerError(ILogger logger, Guid callId, string? requestId, string code, string description);

    [LoggerMessage(5107, LogLevel.Warning, "Deepgram Warning for call {CallId}, request_id {RequestId}: {Code} {Description}")]
    public static partial void ServerWarning(ILogger logger, Guid callId, string? requestId, string code, string description);

    [LoggerMessage(5108, LogLevel.Warning, "Deepgram connection for call {CallId} lost, request_id {RequestId}: {Code} {Description}")]
    public static partial void ConnectionLost(ILogger logger, Guid callId, string? requestId, string code, string description, Exception? exception);

    [LoggerMessage(5109, LogLevel.Error, "Deepgram session for call {CallId} gives up after {Attempts} reconnect attempts, last request_id {RequestId}: {Code}")]
    public static partial void ReconnectsExhausted(ILogger logger, Guid callId, int attempts, string? requestId, string code);

    [LoggerMessage(5110, LogLevel.Information, "Deepgram FunctionCallRequest for call {CallId}: {Name} (id {FunctionId}, client_side {ClientSide}); answered by us: {Answered}")]
    public static partial void FunctionCallRequested(ILogger logger, Guid callId, string? name, string? functionId, bool clientSide, bool answered);

    [LoggerMessage(5111, LogLevel.Debug, "Deepgram barge-in on call {CallId}: utterance {UtteranceId} interrupted, agent audio dropped until AgentStartedSpeaking")]
    public static partial void BargeIn(ILogger logger, Guid callId, int utteranceId);

    [LoggerMessage(5112, LogLevel.Debug, "Deepgram agent utterance {UtteranceId} on call {CallId}: total {TotalLatency}s, think {ThinkLatency}s, speak {SpeakLatency}s")]
    public static partial void AgentStartedSpeaking(ILogger logger, Guid callId, int utteranceId, double totalLatency, double? thinkLatency, double? speakLatency);

    [LoggerMessage(5113, LogLevel.Debug, "Deepgram message {Type} on call {CallId} ignored")]
    public static partial void Ignored(ILogger logger, Guid callId, string? type);

    [LoggerMessage(5114, LogLevel.Warning, "Deepgram sent an unparsable text frame on call {CallId}, request_id {RequestId}; ignored")]
    public static partial void UnparsableServerMessage(ILogger logger, Guid callId, string? requestId, Exception exception);

    [LoggerMessage(5115, LogLevel.Warning, "Deepgram session for call {CallId}: {Dropped} bytes of caller audio dropped ({Reason})")]
    public static partial void CallerAudioDropped(ILogger logger, Guid callId, long dropped, string reason);

    [LoggerMessage(5116, LogLevel.Warning, "Deepgram InjectionRefused on call {CallId}, request_id {RequestId}: {Message}")]
    public static partial void InjectionRefused(ILogger logger, Guid callId, string? requestId, string? message);

    [LoggerMessage(5117, LogLevel.Warning, "DTMF '{Digit}' on call {CallId} is not a telephone key; not forwarded to Deepgram")]
    public static partial void InvalidDtmf(ILogger logger, Guid callId, char digit);

    [LoggerMessage(5118, LogLevel.Trace, "Deepgram KeepAlive sent on call {CallId}")]
    public static partial void KeepAliveSent(ILogger logger, Guid callId);

    [LoggerMessage(5119, LogLevel.Debug, "Deepgram Welcome on call {CallId}, request_id {RequestId}")]
    public static partial void Welcome(ILogger logger, Guid callId, string? requestId);

    [LoggerMessage(5120, LogLevel.Information, "Deepgram session of call {CallId} reaches the {MaxSession} cap at {CapAt:o}; rollover planned from {PlannedAt:o}, forced at {ForcedAt:o}")]
    public static partial void RolloverPlanned(ILogger logger, Guid callId, TimeSpan maxSession, DateTimeOffset capAt, DateTimeOffset plannedAt, DateTimeOffset forcedAt);

    [LoggerMessage(5121, LogLevel.Information, "Deepgram session of call {CallId} rolled over to a new connection ({Why}), request_id {RequestId}, {HistoryItems} history items re-seeded")]
    public static partial void RolledOver(ILogger logger, Guid callId, string why, string? requestId, int historyItems);

    [LoggerMessage(5122, LogLevel.Warning, "Deepgram rollover of call {CallId} failed ({Reason}); the session goes on until the server closes it")]
    public static partial void RolloverFailed(ILogger logger, Guid callId, string reason);

    [LoggerMessage(5130, LogLevel.Information, "Deepgram session of call {CallId} resumes the call, request_id {RequestId}: {HistoryItems} prior history items seeded, no greeting")]
    public static partial void Resumed(ILogger logger, Guid callId, string? requestId, int historyItems);
}
