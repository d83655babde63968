using System.Net;
using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Asterisk.Ari;

/// <summary>Source-generated log messages of the ARI client (event ids 6200-6249). Credentials are never logged.</summary>
internal static partial class AriLog
{
    [LoggerMessage(6200, LogLevel.Debug, "ARI {Operation} answered {StatusCode}")]
    public static partial void RequestDone(ILogger logger, string operation, int statusCode);

    [LoggerMessage(6201, LogLevel.Warning, "ARI {Operation} failed: {StatusCode} {AriMessage}")]
    public static partial void RequestFailed(ILogger logger, string operation, HttpStatusCode statusCode, string? ariMessage);

    [LoggerMessage(6210, LogLevel.Information, "ARI events connecting to {Url}")]
    public static partial void EventsConnecting(ILogger logger, string url);

    [LoggerMessage(6211, LogLevel.Information, "ARI events connected to {Url}")]
    public static partial void EventsConnected(ILogger logger, string url);

    [LoggerMessage(6212, LogLevel.Warning, "ARI events connection to {Url} refused: HTTP {StatusCode}")]
    public static partial void EventsRefused(ILogger logger, string url, int statusCode);

    [LoggerMessage(6213, LogLevel.Information, "ARI events socket closed by Asterisk: {CloseStatus} {Description}")]
    public static partial void EventsClosed(ILogger logger, string? closeStatus, string? description);

    [LoggerMessage(6214, LogLevel.Warning, "ARI events socket lost")]
    public static partial void EventsLost(ILogger logger, Exception exception);

    [LoggerMessage(6215, LogLevel.Warning, "ARI event #{Sequence} skipped: malformed ({Error}, {Bytes} bytes)")]
    public static partial void MalformedEvent(ILogger logger, long sequence, string error, int bytes);

    [LoggerMessage(6216, LogLevel.Debug, "ARI event #{Sequence} of unknown type {EventType}")]
    public static partial void UnknownEvent(ILogger logger, long sequence, string eventType);

    [LoggerMessage(6217, LogLevel.Warning, "ARI event #{Sequence} skipped: a {MessageType} message, not text")]
    public static partial void NonTextMessage(ILogger logger, long sequence, string messageType);

    [LoggerMessage(6218, LogLevel.Warning, "ARI event #{Sequence} skipped: larger than {Limit} bytes")]
    public static partial void OversizedEvent(ILogger logger, long sequence, int limit);
}
