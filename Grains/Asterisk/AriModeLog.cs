using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Asterisk;

/// <summary>ARI mode's log messages (event ids 2400–2449). Caller numbers and DTMF digits never appear at Information.</summary>
internal static partial class AriModeLog
{
    [LoggerMessage(EventId = 2400, Level = LogLevel.Warning, Message = "ARI event handling for {Key} failed; the next event for it is handled as usual")]
    public static partial void EventHandlingFailed(ILogger logger, string key, Exception exception);
}
