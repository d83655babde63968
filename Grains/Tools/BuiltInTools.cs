using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Tools;

/// <summary>The names of the built-in tools (<c>tools.enabled</c>).</summary>
public static class BuiltInTools
{
    /// <summary>Ends the call after the agent's goodbye.</summary>
    public const string HangupCall = "hangup_call";

    /// <summary>Hands the caller to a <c>transfer.destinations</c> entry after the agent's last words.</summary>
    public const string TransferCall = "transfer_call";

    /// <summary>Every built-in.</summary>
    public static readonly IReadOnlyList<string> Names = [HangupCall, TransferCall];
}

/// <summary>
/// The built-in tools as one <see cref="IToolSource"/>: those in <c>tools.enabled</c>, <c>transfer_call</c> only when
/// <c>transfer.destinations</c> has entries. Read afresh at each call's start.
/// </summary>
public sealed class BuiltInToolSource(IOptionsMonitor<ToolsOptions> tools, IOptionsMonitor<TransferOptions> transfer) : IToolSource
{
    private (TransferOptions Options, TransferCallTool Tool)? _transfer;

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<IAgentTool>> GetToolsAsync(CancellationToken cancellationToken)
    {
        var offered = new List<IAgentTool>(2);
        foreach (var name in tools.CurrentValue.EnabledTools())
        {
            switch (name)
            {
                case BuiltInTools.HangupCall:
                    offered.Add(HangupCallTool.Instance);
                    break;
                case BuiltInTools.TransferCall when TransferTool() is { } transferTool:
                    offered.Add(transferTool);
                    break;
            }
        }

        return ValueTask.FromResult<IReadOnlyList<IAgentTool>>(offered);
    }

    // One tool per version of the options, so its definition (and compiled schema) is reused call after call.
    private TransferCallTool? TransferTool()
    {
        var options = transfer.CurrentValue;
        if (options.Destinations.Count == 0)
        {
            return null;
        }

        if (_transfer is { } cached && ReferenceEquals(cached.Options, options))
        {
            return cached.Tool;
        }

        var tool = new TransferCallTool(options.Destinations);
        _transfer = (options, tool);
        return tool;
    }
}

/// <summary><c>hangup_call</c>: answers at once and asks the platform to end the call once the goodbye has played.</summary>
internal sealed class HangupCallTool : IAgentTool
{
    public static readonly HangupCallTool Instance = new();

    private static readonly string s_result = ToolJson.Object(
        ("status", "scheduled"),
        ("note", "say a short goodbye now; the call ends when you finish speaking"));

    private HangupCallTool()
    {
    }

    public ToolDefinition Definition { get; } = new(
        BuiltInTools.HangupCall,
        "End the phone call. Use it when the caller says goodbye, asks to end the call, or the conversation is over. "
        + "After calling it, say one short goodbye: the line is closed when you finish speaking.",
        JsonDocument.Parse("""
            {"type":"object","properties":{"reason":{"type":"string","description":"Why the call ends, in a few words."}},"additionalProperties":false}
            """).RootElement.Clone());

    public ValueTask<ToolResult> InvokeAsync(ToolInvocation invocation, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new ToolResult(s_result, ToolCallOutcome.Ok, new HangupAction()));
}

/// <summary><c>transfer_call</c>: the destination is one of the configured names (the schema's enum checks it).</summary>
internal sealed class TransferCallTool : IAgentTool
{
    public TransferCallTool(IReadOnlyList<TransferDestinationOptions> destinations)
    {
        var description = new StringBuilder(
            "Transfer the caller to a person or team. Use it when the caller asks for one of these or needs help you cannot give. "
            + "Tell the caller you are transferring them; the transfer happens when you finish speaking. Destinations:");
        var names = new JsonArray();
        foreach (var d in destinations)
        {
            description.Append("\n- ").Append(d.Name).Append(": ").Append(d.Description);
            names.Add(d.Name);
        }

        var parameters = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["destination"] = new JsonObject { ["type"] = "string", ["enum"] = names, ["description"] = "Where to send the caller." },
            },
            ["required"] = new JsonArray("destination"),
            ["additionalProperties"] = false,
        };
        Definition = new ToolDefinition(BuiltInTools.TransferCall, description.ToString(), JsonSerializer.SerializeToElement(parameters, JsonNodeContext.Default.JsonObject));
    }

    public ToolDefinition Definition { get; }

    public ValueTask<ToolResult> InvokeAsync(ToolInvocation invocation, CancellationToken cancellationToken)
    {
        // The schema (required, enum) has been checked: the destination is a configured name.
        var destination = invocation.Arguments.GetProperty("destination").GetString()!;
        var content = ToolJson.Object(
            ("status", "scheduled"),
            ("destination", destination),
            ("note", "tell the caller in one short sentence that you are transferring them; the transfer happens when you finish speaking"));
        return ValueTask.FromResult(new ToolResult(content, ToolCallOutcome.Ok, new TransferAction(destination)));
    }
}
