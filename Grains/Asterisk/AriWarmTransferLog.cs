using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Asterisk;

/// <summary>Warm transfer in ARI mode (event ids 6300–6349). Caller ids and the human's digits never appear.</summary>
internal static partial class AriWarmTransferLog
{
    [LoggerMessage(EventId = 6300, Level = LogLevel.Information, Message = "ARI call {CallId}: warm transfer to {Destination} ({Endpoint}): caller on hold, dialling leg {LegId}")]
    public static partial void Starting(ILogger logger, Guid callId, string destination, string endpoint, string legId);

    [LoggerMessage(EventId = 6301, Level = LogLevel.Information, Message = "ARI call {CallId}: transfer leg {LegId} ringing (ring timeout {RingTimeoutSeconds} s)")]
    public static partial void Ringing(ILogger logger, Guid callId, string legId, int ringTimeoutSeconds);

    [LoggerMessage(EventId = 6302, Level = LogLevel.Information, Message = "ARI call {CallId}: {Destination} answered and is bridged with the agent for the briefing (accept timeout {AcceptTimeoutSeconds} s)")]
    public static partial void Answered(ILogger logger, Guid callId, string destination, int acceptTimeoutSeconds);

    [LoggerMessage(EventId = 6303, Level = LogLevel.Information, Message = "ARI call {CallId}: {Destination} accepted: caller and human bridged, the agent's leg leaves")]
    public static partial void Accepted(ILogger logger, Guid callId, string destination);

    [LoggerMessage(EventId = 6304, Level = LogLevel.Information, Message = "ARI call {CallId}: {Destination} declined")]
    public static partial void Declined(ILogger logger, Guid callId, string destination);

    [LoggerMessage(EventId = 6305, Level = LogLevel.Information, Message = "ARI call {CallId}: transfer leg to {Destination} ended while {Phase} (cause {Cause}): {Outcome}")]
    public static partial void LegEnded(ILogger logger, Guid callId, string destination, string phase, int cause, string outcome);

    [LoggerMessage(EventId = 6306, Level = LogLevel.Information, Message = "ARI call {CallId}: transfer to {Destination} timed out while {Phase}")]
    public static partial void TimedOut(ILogger logger, Guid callId, string destination, string phase);

    [LoggerMessage(EventId = 6307, Level = LogLevel.Information, Message = "ARI call {CallId}: transfer to {Destination} over ({Outcome}): the caller is back with the agent")]
    public static partial void Returned(ILogger logger, Guid callId, string destination, string outcome);

    [LoggerMessage(EventId = 6308, Level = LogLevel.Warning, Message = "ARI call {CallId}: warm transfer request {Step} failed")]
    public static partial void RequestFailed(ILogger logger, Guid callId, string step, Exception exception);

    [LoggerMessage(EventId = 6309, Level = LogLevel.Information, Message = "ARI call {CallId}: no warm transfer now (phase {Phase}, transfer {TransferPhase})")]
    public static partial void NotTransferable(ILogger logger, Guid callId, string phase, string? transferPhase);

    [LoggerMessage(EventId = 6310, Level = LogLevel.Warning, Message = "ARI call {CallId}: warm transfer target {Destination} is not diallable (endpoint TECH/resource, timeouts above 0)")]
    public static partial void BadTarget(ILogger logger, Guid callId, string destination);

    [LoggerMessage(EventId = 6311, Level = LogLevel.Warning, Message = "ARI call {CallId}: telling the call that the warm transfer was {What} failed")]
    public static partial void PartyCallFailed(ILogger logger, Guid callId, string what, Exception exception);

    [LoggerMessage(EventId = 6312, Level = LogLevel.Information, Message = "ARI call {CallId}: the {Side} of the handed-over call hung up; hanging up the other side")]
    public static partial void PartnerEnded(ILogger logger, Guid callId, string side);

    [LoggerMessage(EventId = 6313, Level = LogLevel.Information, Message = "ARI call {CallId}: transfer leg {LegId} of an earlier attempt answered; hanging it up")]
    public static partial void StaleLegAnswered(ILogger logger, Guid callId, string legId);
}
