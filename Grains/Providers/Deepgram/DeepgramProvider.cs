using AiAgent.Grains.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>
/// The <c>deepgram</c> provider: Deepgram Voice Agent v1 over a WebSocket (<see cref="DeepgramSession"/>).
/// Options and the API key are read when a call's session is created, so a config edit applies to the next call.
/// </summary>
public sealed class DeepgramProvider(
    IOptionsMonitor<AgentOptions> options,
    ILoggerFactory loggerFactory,
    DeepgramMetrics metrics,
    TimeProvider time,
    Tools.ToolMetrics toolMetrics) : IAgentProvider
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("AiAgent.Providers.Deepgram");

    /// <inheritdoc/>
    public string Name => DeepgramOptions.Name;

    /// <inheritdoc/>
    public IAgentSession CreateSession(AgentSessionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var current = options.CurrentValue.Providers.Deepgram;
        // A missing key is reported by StartAsync as an Authentication error, never thrown here.
        var apiKey = Environment.GetEnvironmentVariable(current.ApiKeyEnv);
        return new DeepgramSession(current, apiKey, context, _logger, metrics, time, toolMetrics);
    }
}
