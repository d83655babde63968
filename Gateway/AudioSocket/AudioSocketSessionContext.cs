using AiAgent.Gateway.Configuration;
using AiAgent.Gateway.Diagnostics;
using AiAgent.Gateway.Playout;
using AiAgent.Grains.Interfaces.Audio;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// What every <see cref="AudioSocketSession"/> shares: the cluster client, the pacer, the drain, the options read once,
/// metrics, clock and loggers (one instance for the process, in the manner of Kestrel's <c>ServiceContext</c>).
/// </summary>
public sealed class AudioSocketSessionContext
{
    /// <summary>Creates the shared context from the host's services.</summary>
    public AudioSocketSessionContext(
        IClusterClient client, PlayoutPacer pacer, IOptions<AudioSocketOptions> options, IOptions<GatewayInstanceOptions> gatewayOptions,
        GatewayMetrics metrics, GatewayDrain drain, TimeProvider time, ILoggerFactory loggerFactory)
    {
        Client = client;
        Pacer = pacer;
        Options = options.Value;
        ConfiguredFormat = AudioSocketFormats.Parse(Options.Format);
        GatewayId = gatewayOptions.Value.EffectiveId;
        Metrics = metrics;
        Drain = drain;
        Time = time;
        FrameReader = new AudioSocketFrameReader(Options.MaxFrameBytes, passUnknownKinds: Options.IgnoreUnknownKinds);
        SessionLogger = loggerFactory.CreateLogger<AudioSocketSession>();
        RelayLogger = loggerFactory.CreateLogger<CallerFrameRelay>();
        PlayoutLogger = loggerFactory.CreateLogger<PlayoutCall>();
        StreamLogger = loggerFactory.CreateLogger<AgentOutputObserver>();
    }

    internal IClusterClient Client { get; }

    internal PlayoutPacer Pacer { get; }

    internal AudioSocketOptions Options { get; }

    /// <summary><c>audiosocket.format</c>, parsed.</summary>
    internal AudioFormat ConfiguredFormat { get; }

    internal string GatewayId { get; }

    internal GatewayMetrics Metrics { get; }

    internal GatewayDrain Drain { get; }

    internal TimeProvider Time { get; }

    /// <summary>The frame parser (pure and stateless: one serves every connection).</summary>
    internal AudioSocketFrameReader FrameReader { get; }

    internal ILogger SessionLogger { get; }

    internal ILogger RelayLogger { get; }

    internal ILogger PlayoutLogger { get; }

    internal ILogger StreamLogger { get; }
}
