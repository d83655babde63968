using System.Diagnostics.Metrics;
using System.Diagnostics.Tracing;

namespace AiAgent.Telemetry;

/// <summary>
/// Records every pause the garbage collector imposes on the process, by the generation of the collection that caused
/// it, as the histogram <c>ai_agent_runtime_gc_pause_seconds</c>, the part of each spent stopping the threads
/// (<c>ai_agent_runtime_gc_suspension_seconds</c>) and the bytes each collection kept alive and moved up a generation
/// (<c>ai_agent_runtime_gc_promoted_bytes</c>). The runtime's own metrics give only the total pause time, and for a
/// 20 ms audio pacer what matters is how many single pauses pass a frame and what made them long (docs/metrics.md).
/// </summary>
/// <remarks>
/// Listens to the runtime's GC events in process (keyword GC, level Informational: a handful of events per
/// collection): a pause runs from <c>GCSuspendEEBegin</c> to <c>GCRestartEEEnd</c>, its suspension to
/// <c>GCSuspendEEEnd</c>, and its generation is the depth of the last <c>GCStart</c>; <c>GCHeapStats</c>, at the end
/// of each collection, gives the bytes promoted out of each generation.
/// </remarks>
internal sealed class GcPauseListener : EventListener
{
    /// <summary>The histogram's name, as instruments are named (Prometheus adds <c>_seconds</c> from the unit).</summary>
    public const string PauseInstrument = "ai_agent_runtime_gc_pause";

    /// <summary>The suspension histogram's name.</summary>
    public const string SuspensionInstrument = "ai_agent_runtime_gc_suspension";

    /// <summary>The promoted-bytes histogram's name.</summary>
    public const string PromotedInstrument = "ai_agent_runtime_gc_promoted";

    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int GcStart = 1;
    private const int RestartEnd = 3;
    private const int HeapStats = 4;
    private const int SuspendEnd = 8;
    private const int SuspendBegin = 9;

    // GCHeapStats_V2: TotalPromotedSize0 … 3 (3: the large-object heap) sit at these payload positions, 4 (pinned) at 14.
    private static readonly int[] s_promotedFields = [1, 3, 5, 7, 14];

    private static readonly string[] s_generations = ["0", "1", "2"];

    private static readonly IReadOnlyList<double> s_pauseBuckets = [0.0001, 0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25];

    private readonly Lock _gate = new();
    private readonly Histogram<double> _pauses;
    private readonly Histogram<double> _suspensions;
    private readonly Histogram<long> _promoted;
    private EventSource? _runtime;
    private bool _constructed;
    private DateTime _suspendedAt;
    private string _generation = "0";

    public GcPauseListener(Meter meter)
    {
        _pauses = meter.CreateHistogram(
            PauseInstrument,
            unit: "s",
            description: "Each pause of the process by the garbage collector, by the generation collected",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_pauseBuckets });
        _suspensions = meter.CreateHistogram(
            SuspensionInstrument,
            unit: "s",
            description: "The part of each GC pause spent stopping the process's threads, before the collection starts",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_pauseBuckets });
        _promoted = meter.CreateHistogram(
            PromotedInstrument,
            unit: "By",
            description: "The bytes each collection found alive and promoted, by the generation collected: what a pause copies",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1 << 20, 2 << 20, 5 << 20, 10 << 20, 20 << 20, 50 << 20, 100 << 20, 200 << 20] });
        lock (_gate)
        {
            // The base constructor announces the runtime's source before this body runs: enable it only now, so no
            // event arrives before the histogram exists.
            _constructed = true;
            if (_runtime is { } runtime)
            {
                EnableEvents(runtime, EventLevel.Informational, GcKeyword);
            }
        }
    }

    /// <inheritdoc/>
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name != RuntimeSource)
        {
            return;
        }

        // Called from the base constructor too (field initialisers have run by then, the constructor body not).
        lock (_gate)
        {
            _runtime = eventSource;
            if (_constructed)
            {
                EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
            }
        }
    }

    /// <inheritdoc/>
    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        // One dispatch thread delivers the runtime's events in order, so the fields need no lock.
        switch (eventData.EventId)
        {
            case SuspendBegin:
                _suspendedAt = eventData.TimeStamp;
                break;
            case HeapStats when eventData.Payload is { } stats:
                _promoted.Record(Promoted(stats), new KeyValuePair<string, object?>("generation", _generation));
                break;
            case SuspendEnd when _suspendedAt != default:
                _suspensions.Record((eventData.TimeStamp - _suspendedAt).TotalSeconds);
                break;
            case GcStart when eventData.Payload is { Count: > 1 } payload && payload[1] is uint depth:
                _generation = s_generations[Math.Min((int)depth, 2)];
                break;
            case RestartEnd when _suspendedAt != default:
                var paused = eventData.TimeStamp - _suspendedAt;
                _suspendedAt = default;
                _pauses.Record(paused.TotalSeconds, new KeyValuePair<string, object?>("generation", _generation));
                break;
        }
    }

    private static long Promoted(IReadOnlyList<object?> stats)
    {
        var bytes = 0L;
        foreach (var field in s_promotedFields)
        {
            if (field < stats.Count && stats[field] is ulong promoted)
            {
                bytes += (long)promoted;
            }
        }

        return bytes;
    }
}
