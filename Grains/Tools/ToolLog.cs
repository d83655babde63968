using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Tools;

/// <summary>
/// Source-generated log messages of tool calling (event ids 5000-5099). Information names the tool and the outcome
/// only: arguments and results may carry personal data and are logged at Debug at most.
/// </summary>
internal static partial class ToolLog
{
    [LoggerMessage(5000, LogLevel.Information, "Tool {Tool} on call {CallId} ({Provider}): {Outcome} after {DurationMs} ms")]
    public static partial void Finished(ILogger logger, string tool, Guid callId, string provider, string outcome, double durationMs);

    [LoggerMessage(5001, LogLevel.Debug, "Tool call {FunctionCallId} on call {CallId}: {Tool} with arguments {Arguments}")]
    public static partial void Requested(ILogger logger, string functionCallId, Guid callId, string tool, string arguments);

    [LoggerMessage(5002, LogLevel.Debug, "Tool call {FunctionCallId} on call {CallId} answered: {Result}")]
    public static partial void Answered(ILogger logger, string functionCallId, Guid callId, string result);

    [LoggerMessage(5003, LogLevel.Warning, "Tool {Tool} on call {CallId} threw {ExceptionType}; the model gets an error result")]
    public static partial void ToolThrew(ILogger logger, string tool, Guid callId, string exceptionType);

    [LoggerMessage(5004, LogLevel.Debug, "Tool {Tool} on call {CallId} threw")]
    public static partial void ToolThrewDetail(ILogger logger, string tool, Guid callId, Exception exception);

    [LoggerMessage(5005, LogLevel.Warning, "Tool source {Source} offers no tools to call {CallId}: {ExceptionType} while listing them")]
    public static partial void SourceFailed(ILogger logger, string source, Guid callId, string exceptionType);

    [LoggerMessage(5006, LogLevel.Debug, "Tool source {Source} failed to list its tools for call {CallId}")]
    public static partial void SourceFailedDetail(ILogger logger, string source, Guid callId, Exception exception);

    [LoggerMessage(5007, LogLevel.Warning, "Tool {Tool} of {Source} left out of call {CallId}: an earlier source already offers that name")]
    public static partial void DuplicateName(ILogger logger, string tool, string source, Guid callId);

    [LoggerMessage(5008, LogLevel.Warning, "Tool {Tool} of {Source} left out of call {CallId}: {Problems}")]
    public static partial void DefinitionRejected(ILogger logger, string tool, string source, Guid callId, string problems);

    [LoggerMessage(5009, LogLevel.Debug, "Call {CallId} offers {Count} tools: {Tools}")]
    public static partial void Offered(ILogger logger, Guid callId, int count, string tools);

    [LoggerMessage(5010, LogLevel.Warning, "Tool call {FunctionCallId} ({Tool}) on call {CallId}: the provider connection it came on is gone; the result was not delivered")]
    public static partial void NotDelivered(ILogger logger, string functionCallId, string tool, Guid callId);

    [LoggerMessage(5011, LogLevel.Information, "The model on call {CallId} ({Provider}) called a tool this line does not offer; it gets an error result")]
    public static partial void UnknownTool(ILogger logger, Guid callId, string provider);
}
