using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Tools;

/// <summary>
/// Composes every <see cref="IToolSource"/> in DI (the built-ins first, then each source in registration order) into
/// the <see cref="ToolSet"/> of one call, when its provider session is created. A source that fails or is slower than
/// <c>tools.timeout_ms</c> offers nothing for that call; a tool whose definition breaks the rules, or whose name an
/// earlier source already offers, is left out; each is logged, none stops the call.
/// </summary>
public sealed class ToolRegistry(IEnumerable<IToolSource> sources, IOptionsMonitor<ToolsOptions> options, ILogger<ToolRegistry> logger)
{
    // Definitions already found valid or invalid (the meta-schema check is not free, and definitions are reused).
    private static readonly ConditionalWeakTable<ToolDefinition, IReadOnlyList<string>> s_checked = [];

    private readonly IToolSource[] _sources = [.. sources];

    /// <summary>The tool set of call <paramref name="callId"/>: what every source offers now.</summary>
    public async ValueTask<ToolSet> CreateToolSetAsync(Guid callId, CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        var timeout = TimeSpan.FromMilliseconds(current.TimeoutMs);
        var tools = new List<IAgentTool>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var source in _sources)
        {
            IReadOnlyList<IAgentTool> offered;
            try
            {
                offered = await source.GetToolsAsync(cancellationToken).AsTask().WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                ToolLog.SourceFailed(logger, source.GetType().Name, callId, ex.GetType().Name);
                ToolLog.SourceFailedDetail(logger, source.GetType().Name, callId, ex);
                continue;
            }

            foreach (var tool in offered)
            {
                var definition = tool.Definition;
                var problems = s_checked.GetValue(definition, static d =>
                {
                    var errors = new List<string>();
                    ToolSchema.CheckDefinition("tool", d, errors);
                    return errors;
                });
                if (problems.Count > 0)
                {
                    ToolLog.DefinitionRejected(logger, definition.Name, source.GetType().Name, callId, string.Join("; ", problems));
                }
                else if (!names.Add(definition.Name))
                {
                    ToolLog.DuplicateName(logger, definition.Name, source.GetType().Name, callId);
                }
                else
                {
                    tools.Add(tool);
                }
            }
        }

        ToolLog.Offered(logger, callId, tools.Count, string.Join(", ", names));
        return new ToolSet(tools, timeout);
    }
}
