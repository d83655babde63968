namespace AiAgent.CallSim.Reporting;

/// <summary>
/// Garbage collections over a run, by the generation each collected (a gen1 GC counts once, as gen1), and the time
/// they paused the process: a pause stops every thread, so it shows up at once in every call's gaps.
/// </summary>
/// <param name="Gen0">Collections of gen0 alone.</param>
/// <param name="Gen1">Collections up to gen1.</param>
/// <param name="Gen2">Full collections (background ones included).</param>
/// <param name="PauseMs">Time the process was paused for them.</param>
public sealed record GcActivity(long Gen0, long Gen1, long Gen2, double PauseMs)
{
    /// <summary>The platform's histogram of single pauses (<c>ai_agent_runtime_gc_pause_seconds</c>, by generation).</summary>
    public const string PauseHistogram = "ai_agent_runtime_gc_pause_seconds";

    /// <summary>A single pause longer than this holds every call's next frame past its 20 ms tick.</summary>
    public const double LongPauseSeconds = 0.02;

    /// <summary>Single pauses over 20 ms (from the platform's pause histogram; null where it is not exported).</summary>
    public double? PausesOver20Ms { get; init; }

    /// <summary>The runtime metrics' counters (docs/metrics.md, meter <c>System.Runtime</c>), as Prometheus names them.</summary>
    public const string CollectionsMetric = "dotnet_gc_collections";

    /// <summary>The total pause time, in seconds.</summary>
    public const string PauseTimeMetric = "dotnet_gc_pause_time_seconds";

    /// <summary>The runtime's gauge of the heap each generation holds after the last collection (bytes).</summary>
    public const string HeapAfterCollectionMetric = "dotnet_gc_last_collection_heap_size_bytes";

    /// <summary>This process's collections and pause time since it started.</summary>
    public static GcActivity OfThisProcess()
    {
        // GC.CollectionCount(n) counts every collection that included gen n; the differences split them by the highest.
        long upToGen0 = GC.CollectionCount(0), upToGen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
        return new GcActivity(upToGen0 - upToGen1, upToGen1 - gen2, gen2, GC.GetTotalPauseDuration().TotalMilliseconds);
    }

    /// <summary>Another process's collections and pause time between two scrapes of its <c>/metrics</c>; null when it exports neither.</summary>
    /// <exception cref="FormatException">A sample of these counters has no number for a value.</exception>
    public static GcActivity? Between(string before, string after)
    {
        if (!after.Contains(CollectionsMetric, StringComparison.Ordinal) && !after.Contains(PauseTimeMetric, StringComparison.Ordinal))
        {
            return null;
        }

        var pauses = PrometheusHistogram.Between(before, after, PauseHistogram);
        return new GcActivity(
            (long)PrometheusCounter.Delta(before, after, CollectionsMetric, "gc_heap_generation=\"gen0\""),
            (long)PrometheusCounter.Delta(before, after, CollectionsMetric, "gc_heap_generation=\"gen1\""),
            (long)PrometheusCounter.Delta(before, after, CollectionsMetric, "gc_heap_generation=\"gen2\""),
            PrometheusCounter.Delta(before, after, PauseTimeMetric) * 1000)
        {
            PausesOver20Ms = after.Contains(PauseHistogram, StringComparison.Ordinal) ? pauses.CountAbove(LongPauseSeconds) : null,
        };
    }

    /// <summary>What happened between <paramref name="earlier"/> and this snapshot.</summary>
    public GcActivity Since(GcActivity earlier) =>
        new(Gen0 - earlier.Gen0, Gen1 - earlier.Gen1, Gen2 - earlier.Gen2, PauseMs - earlier.PauseMs);
}
