using Microsoft.Extensions.Logging;

namespace AiAgent.Failover.Ari;

/// <summary>The ARI mode's log lines (event ids 9150-9199). The ARI password is never logged.</summary>
internal static partial class AriLog
{
    [LoggerMessage(EventId = 9150, Level = LogLevel.Information, Message = "ARI emulator (the Asterisk) on {BaseUrl}")]
    public static partial void EmulatorListening(ILogger logger, string baseUrl);

    [LoggerMessage(EventId = 9151, Level = LogLevel.Information, Message = "A silo holds the ARI events connection of {App}")]
    public static partial void EventsConnected(ILogger logger, string app);

    [LoggerMessage(EventId = 9152, Level = LogLevel.Information, Message = "Media legs per gateway before the event: {Legs}")]
    public static partial void LegsPerGateway(ILogger logger, string legs);
}
