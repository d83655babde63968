using System.Text.Json;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Tools;

/// <summary>What the model is told about a tool: its name, what it does and its arguments' JSON schema.</summary>
/// <param name="Name">The function name the model calls (<c>^[a-zA-Z0-9_-]{1,64}$</c>).</param>
/// <param name="Description">When the model should use it.</param>
/// <param name="Parameters">The arguments' JSON schema (an <c>object</c> schema).</param>
public sealed record ToolDefinition(string Name, string Description, JsonElement Parameters);

/// <summary>One call of a tool by the model, with arguments already validated against the tool's schema.</summary>
/// <param name="CallId">The phone call (AudioSocket UUID).</param>
/// <param name="FunctionCallId">The provider's id of this function call (OpenAI <c>call_id</c>, Deepgram <c>id</c>).</param>
/// <param name="Arguments">The parsed arguments object.</param>
public sealed record ToolInvocation(Guid CallId, string FunctionCallId, JsonElement Arguments);

/// <summary>What a tool asks the platform to do with the call once the agent's current speech has played out.</summary>
public abstract record CallAction;

/// <summary>End the call (<c>hangup_call</c>).</summary>
public sealed record HangupAction : CallAction;

/// <summary>Hand the caller to the named, allow-listed destination (<c>transfer_call</c>).</summary>
/// <param name="Destination">A <c>transfer.destinations</c> name.</param>
/// <param name="Warm">Brief a human before bridging (ARI mode only); false for a blind transfer.</param>
public sealed record TransferAction(string Destination, bool Warm = false) : CallAction;

/// <summary>A tool's answer: the JSON text returned to the model, and an optional action on the call.</summary>
public sealed record ToolResult(string Content, ToolCallOutcome Outcome, CallAction? Action = null);

/// <summary>One tool the model can call. Implementations are thread-safe: one instance serves every call.</summary>
public interface IAgentTool
{
    /// <summary>The definition offered to the model.</summary>
    ToolDefinition Definition { get; }

    /// <summary>Runs the tool. Throwing, or an <see cref="ToolCallOutcome.Failed"/> result, gives the model an error result.</summary>
    ValueTask<ToolResult> InvokeAsync(ToolInvocation invocation, CancellationToken cancellationToken);
}

/// <summary>
/// A source of tools (the built-ins, the configured HTTP tools, each MCP server). The registry asks every source for
/// its tools at each call's start, so a config change or a server's new tool list applies to the next call.
/// </summary>
public interface IToolSource
{
    /// <summary>The tools this source offers now; a source that cannot list them (an MCP server down) returns none and logs why.</summary>
    ValueTask<IReadOnlyList<IAgentTool>> GetToolsAsync(CancellationToken cancellationToken);
}
