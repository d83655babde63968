using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Tools.Mcp;

/// <summary>
/// Offers the tools of every <c>tools.mcp</c> server, asking them all at once. A server's session and cached list
/// survive config reloads that leave its entry as it was; an edited or removed entry's session is closed.
/// </summary>
internal sealed class McpToolSource(IOptionsMonitor<McpToolsOptions> options, IHttpClientFactory clients, TimeProvider time, ILoggerFactory loggers)
    : IToolSource, IAsyncDisposable
{
    private readonly Lock _lock = new();
    private McpToolsOptions? _builtFrom;
    private Dictionary<string, McpServerTools> _servers = [];

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<IAgentTool>> GetToolsAsync(CancellationToken cancellationToken)
    {
        var servers = Servers();
        if (servers.Count == 0)
        {
            return [];
        }

        var lists = await Task.WhenAll(servers.Select(s => s.GetToolsAsync(cancellationToken).AsTask())).ConfigureAwait(false);
        return [.. lists.SelectMany(l => l)];
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        List<McpServerTools> servers;
        lock (_lock)
        {
            servers = [.. _servers.Values];
            _servers = [];
        }

        foreach (var server in servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private List<McpServerTools> Servers()
    {
        var current = options.CurrentValue;
        List<McpServerTools> removed;
        List<McpServerTools> result;
        lock (_lock)
        {
            if (ReferenceEquals(current, _builtFrom))
            {
                return [.. _servers.Values];
            }

            var next = new Dictionary<string, McpServerTools>(StringComparer.Ordinal);
            foreach (var server in current.Mcp)
            {
                var fingerprint = McpServerSpec.Fingerprint(server, current.TimeoutMs);
                next[fingerprint] = _servers.Remove(fingerprint, out var kept)
                    ? kept
                    : new McpServerTools(McpServerSpec.From(server, current.TimeoutMs, EnvironmentTemplate.FromProcess), clients.CreateClient(McpToolsServiceCollectionExtensions.ClientName), time, loggers);
            }

            removed = [.. _servers.Values];
            _servers = next;
            _builtFrom = current;
            result = [.. next.Values];
        }

        foreach (var server in removed)
        {
            _ = server.DisposeAsync().AsTask();
        }

        return result;
    }
}
