namespace AiAgent.Grains.Tools;

/// <summary>A tool that sets its own timeout (an HTTP tool's <c>timeout_ms</c>); others get <c>tools.timeout_ms</c>.</summary>
public interface IToolTimeout
{
    /// <summary>How long the tool may run; null for the default.</summary>
    TimeSpan? Timeout { get; }
}

/// <summary>
/// The tools one call offers the model, fixed when its provider session is created (<see cref="ToolRegistry"/>): a
/// config edit or a source's new tool list applies to the next call.
/// </summary>
public sealed class ToolSet
{
    private readonly Dictionary<string, IAgentTool> _byName;

    /// <summary>A set of <paramref name="tools"/> (names unique), timed out after <paramref name="defaultTimeout"/> unless a tool sets its own.</summary>
    public ToolSet(IEnumerable<IAgentTool> tools, TimeSpan defaultTimeout)
    {
        ArgumentNullException.ThrowIfNull(tools);
        Tools = [.. tools];
        DefaultTimeout = defaultTimeout;
        _byName = new Dictionary<string, IAgentTool>(StringComparer.Ordinal);
        foreach (var tool in Tools)
        {
            if (!_byName.TryAdd(tool.Definition.Name, tool))
            {
                throw new ArgumentException($"tool name '{tool.Definition.Name}' appears twice", nameof(tools));
            }
        }
    }

    /// <summary>No tools: a function call gets an <c>UnknownTool</c> error result.</summary>
    public static ToolSet Empty { get; } = new([], TimeSpan.FromSeconds(5));

    /// <summary>The tools, in the order the model is told about them.</summary>
    public IReadOnlyList<IAgentTool> Tools { get; }

    /// <summary><c>tools.timeout_ms</c> as it was when the set was made.</summary>
    public TimeSpan DefaultTimeout { get; }

    /// <summary>True when nothing is offered.</summary>
    public bool IsEmpty => Tools.Count == 0;

    /// <summary>The tool named <paramref name="name"/>, or null.</summary>
    public IAgentTool? Find(string? name) => name is not null && _byName.TryGetValue(name, out var tool) ? tool : null;

    /// <summary>How long <paramref name="tool"/> may run.</summary>
    public TimeSpan TimeoutOf(IAgentTool tool) => (tool as IToolTimeout)?.Timeout is { } own && own > TimeSpan.Zero ? own : DefaultTimeout;
}
