using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using AiAgent.Gateway.AudioSocket;
using AiAgent.Gateway.Configuration;
using AiAgent.Gateway.Diagnostics;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiAgent.Gateway.Playout;

/// <summary>
/// Runs the playout path once on a private pipe before the pacer starts, so the first real call's tick does
/// not pay for JIT compilation (seen as a ~40 ms pacer stall on the first call otherwise).
/// </summary>
internal static class PlayoutWarmup
{
    public static void Run(AudioSocketOptions options)
    {
        using var meters = new PrivateMeterFactory();
        var metrics = new GatewayMetrics(meters);
        var pipe = new Pipe();
        var formats = CallFormats.Resolve(null, AudioSocketFormats.Parse(options.Format));
        var call = new PlayoutCall(Guid.Empty, formats.Caller, formats.Playout, pipe.Writer, pipe.Reader,
            options, TimeProvider.System, metrics, NullLogger.Instance);
        var output = new AgentOutputObserver(call, metrics, NullLogger.Instance);
        var frame = call.FrameBytes;
        output.OnAgentEventAsync(new AgentAudioChunk(0, 1, new byte[frame * 4], DateTime.UtcNow)).GetAwaiter().GetResult();
        output.OnAgentEventAsync(new AgentUtteranceDone(1, 1)).GetAwaiter().GetResult();
        for (var i = 0; i < 4; i++)
        {
            call.OnTick(TimeProvider.System.GetTimestamp());
        }

        output.OnAgentEventAsync(new FlushPlayout(2, 1)).GetAwaiter().GetResult();
        call.Close();
        pipe.Writer.Complete();
        pipe.Reader.Complete();
    }

    /// <summary>
    /// Keeps warm-up measurements out of the gateway's real meter. The private meter gets a name of its own:
    /// exporters select meters by name, and disposing a meter named like the real one would make OpenTelemetry
    /// drop the real instruments it had merged with it (every gateway series vanished from /metrics).
    /// </summary>
    private sealed class PrivateMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _meters = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options.Name + ".Warmup", options.Version);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
