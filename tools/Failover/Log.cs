using Microsoft.Extensions.Logging;

namespace AiAgent.Failover;

/// <summary>The harness's own log lines (event ids 9000-9099). Call ids are not secrets; no transcript text is logged.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "Run {Run}/{Runs}: {Scenario} with {Calls} calls on {Silos} silos; child logs in {OutputDirectory}")]
    public static partial void RunStarting(ILogger logger, int run, int runs, string scenario, int calls, int silos, string outputDirectory);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Building {Project} (Release)")]
    public static partial void Building(ILogger logger, string project);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "Started {Name} (pid {Pid})")]
    public static partial void ProcessStarted(ILogger logger, string name, int pid);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Information, Message = "{Name} is ready after {Seconds:0.0} s")]
    public static partial void ProcessReady(ILogger logger, string name, double seconds);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Information, Message = "Sent {Signal} to {Name} (pid {Pid})")]
    public static partial void Signalled(ILogger logger, string signal, string name, int pid);

    [LoggerMessage(EventId = 9005, Level = LogLevel.Information, Message = "{Name} exited with {ExitCode} after {Seconds:0.0} s")]
    public static partial void ProcessExited(ILogger logger, string name, int exitCode, double seconds);

    [LoggerMessage(EventId = 9006, Level = LogLevel.Warning, Message = "{Name} did not exit within {Seconds:0} s of SIGTERM: killing it")]
    public static partial void ProcessStuck(ILogger logger, string name, double seconds);

    [LoggerMessage(EventId = 9007, Level = LogLevel.Information, Message = "{Calls} calls talking; the {Scenario} event comes in {Seconds:0} s")]
    public static partial void CallsStarted(ILogger logger, int calls, string scenario, double seconds);

    [LoggerMessage(EventId = 9008, Level = LogLevel.Information, Message = "Calls per silo before the event: {Placement}")]
    public static partial void Placement(ILogger logger, string placement);

    [LoggerMessage(EventId = 9009, Level = LogLevel.Warning, Message = "Could not find which silo hosts each call; the target defaults to silo 1")]
    public static partial void PlacementUnknown(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9010, Level = LogLevel.Information, Message = "Event {Scenario} at {StartUtc:O}, over at {EndUtc:O}; target {Target}")]
    public static partial void EventDone(ILogger logger, string scenario, DateTimeOffset startUtc, DateTimeOffset endUtc, string target);

    [LoggerMessage(EventId = 9011, Level = LogLevel.Information, Message = "Ending the conversations ({Seconds:0} s after the event)")]
    public static partial void StoppingCalls(ILogger logger, double seconds);

    [LoggerMessage(EventId = 9012, Level = LogLevel.Warning, Message = "Calls still open {Seconds:0} s after the stop: hanging them up")]
    public static partial void CallsHungUp(ILogger logger, double seconds);

    [LoggerMessage(EventId = 9013, Level = LogLevel.Warning, Message = "Transcript of call {CallId} unavailable: {Reason}")]
    public static partial void TranscriptUnavailable(ILogger logger, string callId, string reason);

    [LoggerMessage(EventId = 9014, Level = LogLevel.Information, Message = "Run {Run}: {Dropped} of {Calls} calls dropped; report {Report}")]
    public static partial void RunDone(ILogger logger, int run, int dropped, int calls, string report);

    [LoggerMessage(EventId = 9015, Level = LogLevel.Error, Message = "Run {Run} failed")]
    public static partial void RunFailed(ILogger logger, int run, Exception exception);

    [LoggerMessage(EventId = 9016, Level = LogLevel.Information, Message = "Rolling restart: {Name} {Step}")]
    public static partial void RollingStep(ILogger logger, string name, string step);

    [LoggerMessage(EventId = 9017, Level = LogLevel.Information, Message = "Warm-up: {Calls} short calls")]
    public static partial void WarmUp(ILogger logger, int calls);
}
