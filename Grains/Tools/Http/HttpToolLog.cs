using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Tools.Http;

/// <summary>
/// Log messages of the HTTP tools (event ids 5200-5209). They name the tool and the configured URL template only:
/// never an argument, a response or a header value.
/// </summary>
internal static partial class HttpToolLog
{
    [LoggerMessage(EventId = 5200, Level = LogLevel.Debug, Message = "HTTP tool {Tool} answered {Status} in {ElapsedMs:0} ms")]
    public static partial void Answered(ILogger logger, string tool, int status, double elapsedMs);

    [LoggerMessage(EventId = 5201, Level = LogLevel.Warning, Message = "HTTP tool {Tool}: {Method} {UrlTemplate} answered {Status}")]
    public static partial void ErrorStatus(ILogger logger, string tool, string method, string urlTemplate, int status);

    [LoggerMessage(EventId = 5202, Level = LogLevel.Warning, Message = "HTTP tool {Tool}: {Method} {UrlTemplate} did not answer within {TimeoutMs} ms")]
    public static partial void TimedOut(ILogger logger, string tool, string method, string urlTemplate, double timeoutMs);

    [LoggerMessage(EventId = 5203, Level = LogLevel.Warning, Message = "HTTP tool {Tool}: {Method} {UrlTemplate} could not be reached ({Error})")]
    public static partial void Unreachable(ILogger logger, string tool, string method, string urlTemplate, string error);

    [LoggerMessage(EventId = 5204, Level = LogLevel.Information, Message = "HTTP tools offered: {Tools}")]
    public static partial void Offered(ILogger logger, string tools);
}
