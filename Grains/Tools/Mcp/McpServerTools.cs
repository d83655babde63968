using System.Diagnostics;
using System.Text;
using System.Text.Json;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace AiAgent.Grains.Tools.Mcp;

/// <summary>
/// The tools of one MCP server: one client session (opened on first use, opened again after it fails), the tool list
/// cached for <see cref="ListLifetime"/> so a call's start rarely waits for the server, and tool calls. A server that
/// cannot list its tools offers none (the call goes on without them) and is asked again after <see cref="RetryDownAfter"/>;
/// its outage is logged once, when it starts, and its end once.
/// </summary>
internal sealed class McpServerTools(McpServerSpec spec, HttpClient http, TimeProvider time, ILoggerFactory loggers) : IAsyncDisposable
{
    /// <summary>How long a listing is served from the cache.</summary>
    public static readonly TimeSpan ListLifetime = TimeSpan.FromSeconds(30);

    /// <summary>How long a server that failed to list is left alone before it is asked again.</summary>
    public static readonly TimeSpan RetryDownAfter = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggers.CreateLogger<McpServerTools>();
    private readonly SemaphoreSlim _listing = new(1, 1);
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private McpClient? _client;
    private IReadOnlyList<IAgentTool> _tools = [];
    private DateTimeOffset _listExpires = DateTimeOffset.MinValue;
    private bool _down;

    /// <summary>The server's configured name.</summary>
    public string Name => spec.Name;

    /// <summary>How long one tool call may take (<c>timeout_ms</c>).</summary>
    public TimeSpan CallTimeout => spec.Timeout;

    /// <summary>The allow-listed tools the server lists now (from the cache while fresh); none while it cannot be reached.</summary>
    public async ValueTask<IReadOnlyList<IAgentTool>> GetToolsAsync(CancellationToken cancellationToken)
    {
        if (time.GetUtcNow() < _listExpires)
        {
            return _tools;
        }

        await _listing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (time.GetUtcNow() < _listExpires)
            {
                return _tools;
            }

            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            budget.CancelAfter(spec.Timeout);
            try
            {
                var client = await ClientAsync(budget.Token).ConfigureAwait(false);
                var listed = await client.ListToolsAsync(cancellationToken: budget.Token).ConfigureAwait(false);
                _tools = [.. listed.Where(t => spec.Offers(t.Name)).Select(t => new McpTool(this, t.ProtocolTool))];
                _listExpires = time.GetUtcNow() + ListLifetime;
                McpToolLog.Listed(_logger, spec.Name, listed.Count, _tools.Count);
                if (_down)
                {
                    _down = false;
                    McpToolLog.ServerRecovered(_logger, spec.Name, spec.Endpoint, _tools.Count);
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                await DropClientAsync().ConfigureAwait(false);
                _tools = [];
                _listExpires = time.GetUtcNow() + RetryDownAfter;
                if (!_down)
                {
                    _down = true;
                    McpToolLog.ServerDown(_logger, spec.Name, spec.Endpoint, budget.IsCancellationRequested ? $"no answer within {spec.Timeout.TotalMilliseconds:0} ms" : ex.GetType().Name);
                }
            }

            return _tools;
        }
        finally
        {
            _listing.Release();
        }
    }

    /// <summary>Calls <paramref name="tool"/>: its text content joined, an <c>isError</c> answer as Failed, no answer in time as TimedOut.</summary>
    public async ValueTask<ToolResult> CallAsync(string tool, JsonElement arguments, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(spec.Timeout);
        try
        {
            var client = await ClientAsync(budget.Token).ConfigureAwait(false);
            var args = arguments.ValueKind == JsonValueKind.Object
                ? arguments.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal)
                : [];
            var result = await client.CallToolAsync(tool, args, cancellationToken: budget.Token).ConfigureAwait(false);
            var isError = result.IsError == true;
            McpToolLog.Answered(_logger, tool, spec.Name, isError, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var text = TextOf(result);
            if (isError)
            {
                return ToolResults.Error(text.Length > 0 ? text : $"the {tool} tool failed");
            }

            return text.Length == 0 && result.StructuredContent is { } structured
                ? ToolResults.Ok(structured.GetRawText())
                : ToolResults.OkText(text);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            McpToolLog.CallTimedOut(_logger, tool, spec.Name, spec.Timeout.TotalMilliseconds);
            return ToolResults.Error($"the {tool} tool did not answer within {spec.Timeout.TotalMilliseconds:0} ms", ToolCallOutcome.TimedOut);
        }
        catch (McpProtocolException ex)
        {
            // The server answered with a JSON-RPC error (an unknown tool, invalid arguments): the session is fine.
            McpToolLog.CallFailed(_logger, tool, spec.Name, ex.ErrorCode.ToString());
            return ToolResults.Error($"the {tool} tool rejected the call: {ex.Message}");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            McpToolLog.CallFailed(_logger, tool, spec.Name, ex.GetType().Name);
            await DropClientAsync().ConfigureAwait(false);
            return ToolResults.Error($"the {tool} tool's server could not be reached");
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await DropClientAsync().ConfigureAwait(false);
        _listing.Dispose();
        _connecting.Dispose();
    }

    private static string TextOf(CallToolResult result)
    {
        var text = new StringBuilder();
        foreach (var block in result.Content.OfType<TextContentBlock>())
        {
            text.Append(text.Length == 0 ? string.Empty : "\n").Append(block.Text);
        }

        return text.ToString();
    }

    private async ValueTask<McpClient> ClientAsync(CancellationToken cancellationToken)
    {
        if (_client is { Completion.IsCompleted: false } live)
        {
            return live;
        }

        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_client is { Completion.IsCompleted: false } other)
            {
                return other;
            }

            if (_client is { } ended)
            {
                _client = null;
                await ended.DisposeAsync().ConfigureAwait(false);
            }

            var transport = new HttpClientTransport(
                new HttpClientTransportOptions
                {
                    Endpoint = spec.Endpoint,
                    Name = spec.Name,
                    TransportMode = HttpTransportMode.AutoDetect,
                    AdditionalHeaders = new Dictionary<string, string>(spec.Headers, StringComparer.OrdinalIgnoreCase),
                    ConnectionTimeout = spec.Timeout,
                },
                http,
                loggers,
                ownsHttpClient: false);
            var options = new McpClientOptions
            {
                ClientInfo = new Implementation { Name = "AiAgent.Orleans", Version = typeof(McpServerTools).Assembly.GetName().Version?.ToString() ?? "1.0" },
                InitializationTimeout = spec.Timeout,
            };
            _client = await McpClient.CreateAsync(transport, options, loggers, cancellationToken).ConfigureAwait(false);
            return _client;
        }
        finally
        {
            _connecting.Release();
        }
    }

    private async ValueTask DropClientAsync()
    {
        var client = Interlocked.Exchange(ref _client, null);
        if (client is null)
        {
            return;
        }

        try
        {
            await client.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A session that already failed may fail to close as well; it is gone either way.
        }
    }
}

/// <summary>One tool an MCP server lists, offered under its own name with the server's input schema.</summary>
internal sealed class McpTool(McpServerTools server, Tool tool) : IAgentTool, IToolTimeout
{
    private static readonly JsonElement AnyObject = JsonDocument.Parse("""{"type":"object"}""").RootElement.Clone();

    /// <inheritdoc/>
    public ToolDefinition Definition { get; } = new(
        tool.Name,
        tool.Description ?? tool.Title ?? string.Empty,
        tool.InputSchema.ValueKind == JsonValueKind.Object ? tool.InputSchema.Clone() : AnyObject);

    /// <summary>The server's <c>timeout_ms</c> (or <c>tools.timeout_ms</c>), which the runner enforces as well.</summary>
    public TimeSpan? Timeout => server.CallTimeout;

    /// <inheritdoc/>
    public ValueTask<ToolResult> InvokeAsync(ToolInvocation invocation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(invocation);
        return server.CallAsync(tool.Name, invocation.Arguments, cancellationToken);
    }
}
