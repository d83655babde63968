using Microsoft.Extensions.Logging;

namespace AiAgent.Silo.Storage;

/// <summary>Log messages of the call-record storage layer (event ids 2620-2629). Records are never logged, only their keys.</summary>
internal static partial class RecordStorageLog
{
    [LoggerMessage(EventId = 2620, Level = LogLevel.Warning, Message = "Record {StateName} of {GrainId} not written within {WaitMs} ms ({Error}): the writer goes on, the write keeps retrying in the background")]
    public static partial void WriteDeferred(ILogger logger, string stateName, string grainId, double waitMs, string error);

    [LoggerMessage(EventId = 2621, Level = LogLevel.Debug, Message = "Record {StateName} of {GrainId}: attempt {Attempt} failed ({Error}), retrying")]
    public static partial void AttemptFailed(ILogger logger, string stateName, string grainId, int attempt, string error);

    [LoggerMessage(EventId = 2622, Level = LogLevel.Information, Message = "Record {StateName} of {GrainId} landed after {Attempts} attempts over {ElapsedMs} ms")]
    public static partial void LandedAfterRetries(ILogger logger, string stateName, string grainId, int attempts, double elapsedMs);

    [LoggerMessage(EventId = 2623, Level = LogLevel.Warning, Message = "Record {StateName} of {GrainId}: version conflict while retrying, another activation owns the record; the pending write is dropped (fence)")]
    public static partial void Fenced(ILogger logger, string stateName, string grainId);

    [LoggerMessage(EventId = 2624, Level = LogLevel.Error, Message = "Record {StateName} of {GrainId}: a pending write failed for good and is given up")]
    public static partial void GivenUp(ILogger logger, Exception exception, string stateName, string grainId);

    [LoggerMessage(EventId = 2625, Level = LogLevel.Information, Message = "Record {StateName} of {GrainId}: version conflict resolved ({Resolution}), the write goes on")]
    public static partial void ConflictResolved(ILogger logger, string stateName, string grainId, string resolution);

    [LoggerMessage(EventId = 2626, Level = LogLevel.Warning, Message = "Record {StateName} of {GrainId} could not be read ({Error})")]
    public static partial void ReadFailed(ILogger logger, string stateName, string grainId, string error);

    [LoggerMessage(EventId = 2627, Level = LogLevel.Error, Message = "Silo stopping with {Count} call record writes still pending after {FlushMs} ms: given up")]
    public static partial void PendingAtShutdown(ILogger logger, int count, double flushMs);

    [LoggerMessage(EventId = 2628, Level = LogLevel.Information, Message = "Call record storage answers again: every pending write landed")]
    public static partial void Recovered(ILogger logger);
}
