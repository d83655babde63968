using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Tools.Mcp;

/// <summary>Log messages of the MCP tools (event ids 5220-5229): server names, URLs and counts, never arguments, results or headers.</summary>
internal static partial class McpToolLog
{
    [LoggerMessage(EventId = 5220, Level = LogLevel.Warning, Message = "MCP server {Server} ({Url}) cannot list its tools ({Error}); calls get none of its tools until it answers")]
    public static partial void ServerDown(ILogger logger, string server, Uri url, string error);

    [LoggerMessage(EventId = 5221, Level = LogLevel.Information, Message = "MCP server {Server} ({Url}) answers again: {Count} tools")]
    public static partial void ServerRecovered(ILogger logger, string server, Uri url, int count);

    [LoggerMessage(EventId = 5222, Level = LogLevel.Debug, Message = "MCP server {Server} listed {Count} tools, {Offered} offered")]
    public static partial void Listed(ILogger logger, string server, int count, int offered);

    [LoggerMessage(EventId = 5223, Level = LogLevel.Warning, Message = "MCP tool {Tool} of {Server}: the call failed ({Error})")]
    public static partial void CallFailed(ILogger logger, string tool, string server, string error);

    [LoggerMessage(EventId = 5224, Level = LogLevel.Warning, Message = "MCP tool {Tool} of {Server} did not answer within {TimeoutMs} ms")]
    public static partial void CallTimedOut(ILogger logger, string tool, string server, double timeoutMs);

    [LoggerMessage(EventId = 5225, Level = LogLevel.Debug, Message = "MCP tool {Tool} of {Server} answered (error: {IsError}) in {ElapsedMs:0} ms")]
    public static partial void Answered(ILogger logger, string tool, string server, bool isError, double elapsedMs);
}
