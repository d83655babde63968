using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Asterisk;

/// <summary>ARI mode's log messages (event ids 2400–2449). Caller numbers and DTMF digits never appear at Information.</summary>
internal static partial class AriModeLog
{
    [LoggerMessage(EventId = 2400, Level = LogLevel.Warning, Message = "ARI event handling for {Key} failed; the next event for it is handled as usual")]
    public static partial void EventHandlingFailed(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 2401, Level = LogLevel.Information, Message = "ARI lease for {LeaseKey} taken by {Holder}: this silo keeps the events connection")]
    public static partial void LeaseTaken(ILogger logger, string leaseKey, string holder);

    [LoggerMessage(EventId = 2402, Level = LogLevel.Warning, Message = "ARI lease for {LeaseKey} lost by {Holder} (renewal refused or failed): dropping the events connection")]
    public static partial void LeaseLost(ILogger logger, string leaseKey, string holder);

    [LoggerMessage(EventId = 2403, Level = LogLevel.Warning, Message = "ARI lease renewal for {LeaseKey} failed")]
    public static partial void LeaseRenewalFailed(ILogger logger, string leaseKey, Exception exception);

    [LoggerMessage(EventId = 2404, Level = LogLevel.Warning, Message = "ARI events connection attempt failed; retrying with backoff")]
    public static partial void ConnectFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2405, Level = LogLevel.Information, Message = "ARI events connected; reconciling {Channels} channels")]
    public static partial void Reconciling(ILogger logger, int channels);

    [LoggerMessage(EventId = 2406, Level = LogLevel.Warning, Message = "ARI events connection dropped; reconnecting")]
    public static partial void ConnectionDropped(ILogger logger, Exception? exception);

    [LoggerMessage(EventId = 2407, Level = LogLevel.Warning, Message = "ARI reconcile failed; the next reconnect retries it")]
    public static partial void ReconcileFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 2410, Level = LogLevel.Information, Message = "ARI call {CallId}: caller channel {ChannelId} entered Stasis; answering and bridging")]
    public static partial void CallStarting(ILogger logger, Guid callId, string channelId);

    [LoggerMessage(EventId = 2411, Level = LogLevel.Information, Message = "ARI call {CallId}: bridged in {BridgeId} with external media {MediaChannelId}")]
    public static partial void CallBridged(ILogger logger, Guid callId, string bridgeId, string mediaChannelId);

    [LoggerMessage(EventId = 2412, Level = LogLevel.Warning, Message = "ARI call {CallId}: start failed; cleaning up")]
    public static partial void CallStartFailed(ILogger logger, Guid callId, Exception exception);

    [LoggerMessage(EventId = 2413, Level = LogLevel.Information, Message = "ARI call {CallId}: the caller ended; deleting the media leg and the bridge")]
    public static partial void CallerEnded(ILogger logger, Guid callId);

    [LoggerMessage(EventId = 2414, Level = LogLevel.Information, Message = "ARI call {CallId}: the media leg ended with disposition {Disposition}")]
    public static partial void MediaLegEnded(ILogger logger, Guid callId, string disposition);

    [LoggerMessage(EventId = 2415, Level = LogLevel.Warning, Message = "ARI call {CallId}: cleanup request {Request} failed")]
    public static partial void CleanupRequestFailed(ILogger logger, Guid callId, string request, Exception exception);

    [LoggerMessage(EventId = 2416, Level = LogLevel.Information, Message = "ARI call {CallId}: cleaned up ({Outcome})")]
    public static partial void CallCleanedUp(ILogger logger, Guid callId, string? outcome);

    [LoggerMessage(EventId = 2417, Level = LogLevel.Information, Message = "ARI call {CallId}: the {Leg} leg vanished during an events drop; cleaning up")]
    public static partial void ReconcileCleanup(ILogger logger, Guid callId, string leg);

    [LoggerMessage(EventId = 2418, Level = LogLevel.Information, Message = "ARI call {CallId}: the media leg to {FailedHost} ended while the call is live; dialling a new one into bridge {BridgeId} (the caller stays in it)")]
    public static partial void Redialling(ILogger logger, Guid callId, string? failedHost, string? bridgeId);

    [LoggerMessage(EventId = 2419, Level = LogLevel.Warning, Message = "ARI call {CallId}: media leg attempt {Attempt} to {Host} failed")]
    public static partial void MediaAttemptFailed(ILogger logger, Guid callId, int attempt, string host, Exception exception);

    [LoggerMessage(EventId = 2420, Level = LogLevel.Information, Message = "ARI call {CallId}: new media leg {MediaChannelId} to {Host} in bridge {BridgeId} after {Attempts} attempt(s), {ElapsedMs} ms after the old one ended")]
    public static partial void Rebridged(ILogger logger, Guid callId, string mediaChannelId, string host, string bridgeId, int attempts, long elapsedMs);

    [LoggerMessage(EventId = 2421, Level = LogLevel.Warning, Message = "ARI call {CallId}: no media leg after {Attempts} attempt(s); hanging the caller up")]
    public static partial void RedialGaveUp(ILogger logger, Guid callId, int attempts);

    [LoggerMessage(EventId = 2422, Level = LogLevel.Information, Message = "ARI call {CallId}: the call ended ({Disposition}) while its media leg was being re-dialled; acting on that instead")]
    public static partial void RedialOvertaken(ILogger logger, Guid callId, string disposition);
}
