using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Webhooks;

/// <summary>Log messages of the post-call webhook (event ids 5240-5249): call ids, statuses and counts, never the body or the secret.</summary>
internal static partial class WebhookLog
{
    [LoggerMessage(EventId = 5240, Level = LogLevel.Information, Message = "Webhook: call {CallId} delivered (HTTP {Status}, {Attempts} attempts)")]
    public static partial void Delivered(ILogger logger, Guid callId, int status, int attempts);

    [LoggerMessage(EventId = 5241, Level = LogLevel.Warning, Message = "Webhook: call {CallId} not delivered after {Attempts} attempts: {Reason}")]
    public static partial void Failed(ILogger logger, Guid callId, int attempts, string reason);

    [LoggerMessage(EventId = 5242, Level = LogLevel.Warning, Message = "Webhook: queue full ({Capacity}), the record of call {CallId} dropped unsent")]
    public static partial void Dropped(ILogger logger, int capacity, Guid callId);

    [LoggerMessage(EventId = 5243, Level = LogLevel.Debug, Message = "Webhook: call {CallId} attempt {Attempt} answered {Status}, retrying in {DelayMs:0} ms")]
    public static partial void Retrying(ILogger logger, Guid callId, int attempt, string status, double delayMs);

    [LoggerMessage(EventId = 5244, Level = LogLevel.Warning, Message = "Webhook: shut down with {Count} records unsent")]
    public static partial void Unflushed(ILogger logger, int count);

    [LoggerMessage(EventId = 5245, Level = LogLevel.Information, Message = "Webhook: ended calls are POSTed to {Url}")]
    public static partial void Enabled(ILogger logger, string url);

    [LoggerMessage(EventId = 5246, Level = LogLevel.Warning, Message = "Webhook: the record of call {CallId} could not be queued")]
    public static partial void NotQueued(ILogger logger, Exception exception, Guid callId);
}
