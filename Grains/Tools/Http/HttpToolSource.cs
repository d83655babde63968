using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Tools.Http;

/// <summary>
/// Offers one <see cref="HttpTool"/> per <c>tools.http</c> entry. The tools are rebuilt when the validated options
/// change (a config edit applies to the next call) and reused otherwise.
/// </summary>
internal sealed class HttpToolSource(IOptionsMonitor<HttpToolsOptions> options, IHttpClientFactory clients, ILogger<HttpTool> logger) : IToolSource
{
    private (HttpToolsOptions Options, IReadOnlyList<IAgentTool> Tools)? _built;

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<IAgentTool>> GetToolsAsync(CancellationToken cancellationToken)
    {
        var current = options.CurrentValue;
        var built = _built;
        if (built is null || !ReferenceEquals(built.Value.Options, current))
        {
            IReadOnlyList<IAgentTool> tools = [.. current.Http.Select(t => new HttpTool(HttpToolSpec.From(t, current.TimeoutMs, EnvironmentTemplate.FromProcess), clients, logger))];
            if (tools.Count > 0)
            {
                HttpToolLog.Offered(logger, string.Join(", ", tools.Select(t => t.Definition.Name)));
            }

            built = (current, tools);
            _built = built;
        }

        return ValueTask.FromResult(built.Value.Tools);
    }
}
