namespace AiAgent.CallSim.Reporting;

/// <summary>Quantiles of a platform histogram over a run (bucket-interpolated, as <c>histogram_quantile</c>), in ms.</summary>
/// <param name="Count">Observations in the run.</param>
/// <param name="P50Ms">Median; null without observations.</param>
/// <param name="P99Ms">99th percentile; null without observations.</param>
public sealed record HistogramQuantiles(double Count, double? P50Ms, double? P99Ms)
{
    /// <summary>The run's share of histogram <paramref name="name"/> (in seconds) between two scrapes.</summary>
    public static HistogramQuantiles From(string before, string after, string name)
    {
        var run = PrometheusHistogram.Between(before, after, name);
        return run.Count <= 0
            ? new HistogramQuantiles(0, null, null)
            : new HistogramQuantiles(run.Count, run.Quantile(0.5) * 1000, run.Quantile(0.99) * 1000);
    }
}

/// <summary>The platform's own view of a run: its latency histograms and its late, dropped and underrun counters (docs/metrics.md).</summary>
public sealed record PlatformMetrics
{
    /// <summary>The platform-added latency histogram.</summary>
    public const string PlatformAddedMetric = "ai_agent_platform_added_latency_seconds";

    /// <summary>The turn latency histogram.</summary>
    public const string TurnResponseMetric = "ai_agent_turn_response_seconds";

    /// <summary>Provider audio in → its first frame on the socket (<c>ai_agent_platform_added_latency_seconds</c>).</summary>
    public required HistogramQuantiles PlatformAddedLatency { get; init; }

    /// <summary>End of the caller's speech → first frame of the answer (<c>ai_agent_turn_response_seconds</c>).</summary>
    public required HistogramQuantiles TurnResponse { get; init; }

    /// <summary>Frames the gateway wrote more than 5 ms after their deadline or held back (<c>ai_agent_gateway_frames_late_total</c>).</summary>
    public double FramesLate { get; init; }

    /// <summary>Of <see cref="FramesLate"/>, those held back because the socket was still flushing (<c>reason="backpressure"</c>).</summary>
    public double FramesLateBackpressure { get; init; }

    /// <summary>Ticks where the gateway's pacer woke over two periods late and resynchronised (<c>ai_agent_gateway_pacer_stalls_total</c>).</summary>
    public double PacerStalls { get; init; }

    /// <summary>The platform's garbage collections and their pauses (runtime metrics); null when it does not export them.</summary>
    public GcActivity? Gc { get; init; }

    /// <summary>Agent frames dropped because a playout queue was full (<c>ai_agent_gateway_frames_dropped_total</c>).</summary>
    public double FramesDropped { get; init; }

    /// <summary>Utterances that ran out of audio before their end (<c>ai_agent_gateway_playout_underruns_total</c>).</summary>
    public double PlayoutUnderruns { get; init; }

    /// <summary>The run's share: the difference of a scrape before and one after.</summary>
    /// <exception cref="FormatException">A scrape has a sample that is not a number.</exception>
    public static PlatformMetrics From(string before, string after) => new()
    {
        PlatformAddedLatency = HistogramQuantiles.From(before, after, PlatformAddedMetric),
        TurnResponse = HistogramQuantiles.From(before, after, TurnResponseMetric),
        FramesLate = PrometheusCounter.Delta(before, after, "ai_agent_gateway_frames_late"),
        FramesLateBackpressure = PrometheusCounter.Delta(before, after, "ai_agent_gateway_frames_late", "reason=\"backpressure\""),
        PacerStalls = PrometheusCounter.Delta(before, after, "ai_agent_gateway_pacer_stalls"),
        Gc = GcActivity.Between(before, after),
        FramesDropped = PrometheusCounter.Delta(before, after, "ai_agent_gateway_frames_dropped"),
        PlayoutUnderruns = PrometheusCounter.Delta(before, after, "ai_agent_gateway_playout_underruns"),
    };
}
