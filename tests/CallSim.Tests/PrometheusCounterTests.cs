using AiAgent.CallSim.Reporting;

namespace AiAgent.CallSim.Tests;

public sealed class PrometheusCounterTests
{
    private const string Before = """
        # TYPE ai_agent_gateway_frames_late_total counter
        ai_agent_gateway_frames_late_total{otel_scope_name="AiAgent.Gateway",reason="deadline",provider="local"} 3
        ai_agent_gateway_frames_late_total{otel_scope_name="AiAgent.Gateway",reason="backpressure",provider="local"} 1
        ai_agent_platform_added_latency_seconds_bucket{provider="local",le="0.01"} 1
        ai_agent_platform_added_latency_seconds_bucket{provider="local",le="+Inf"} 1
        """;

    private const string After = """
        # HELP ai_agent_gateway_frames_late_total Frames written late.
        # TYPE ai_agent_gateway_frames_late_total counter
        ai_agent_gateway_frames_late_total{otel_scope_name="AiAgent.Gateway",reason="deadline",provider="local"} 10
        ai_agent_gateway_frames_late_total{otel_scope_name="AiAgent.Gateway",reason="backpressure",provider="local"} 2.5
        ai_agent_gateway_frames_late_total{otel_scope_name="AiAgent.Gateway",reason="deadline",provider="openai"} 4 1733553600000
        ai_agent_gateway_frames_late_total_extra{provider="local"} 1000
        ai_agent_gateway_frames_dropped_total 7
        ai_agent_platform_added_latency_seconds_bucket{provider="local",le="0.01"} 11
        ai_agent_platform_added_latency_seconds_bucket{provider="local",le="+Inf"} 11
        """;

    [Fact]
    public void A_counter_is_summed_over_its_label_sets_and_a_run_is_the_difference_of_two_scrapes()
    {
        // 10 + 2.5 + 4 (a sample with a timestamp); the metric that only shares the prefix is another metric.
        Assert.Equal(16.5, PrometheusCounter.Sum(After, "ai_agent_gateway_frames_late"));
        Assert.Equal(12.5, PrometheusCounter.Delta(Before, After, "ai_agent_gateway_frames_late"));
        Assert.Equal(7, PrometheusCounter.Sum(After, "ai_agent_gateway_frames_dropped")); // no labels at all
    }

    [Fact]
    public void A_gauge_is_read_by_its_full_name_and_summed_over_generations()
    {
        const string scrape = """
            dotnet_gc_last_collection_heap_size_bytes{otel_scope_name="System.Runtime",gc_heap_generation="gen0"} 0
            dotnet_gc_last_collection_heap_size_bytes{otel_scope_name="System.Runtime",gc_heap_generation="gen2"} 35327136
            dotnet_gc_last_collection_heap_size_bytes{otel_scope_name="System.Runtime",gc_heap_generation="loh"} 88022720
            dotnet_gc_last_collection_heap_size_bytes_other 5
            """;

        Assert.Equal(123_349_856, PrometheusCounter.Gauge(scrape, GcActivity.HeapAfterCollectionMetric));
        Assert.Equal(88_022_720, PrometheusCounter.Gauge(scrape, GcActivity.HeapAfterCollectionMetric, "gc_heap_generation=\"loh\""));
        Assert.Equal(0, PrometheusCounter.Sum(scrape, GcActivity.HeapAfterCollectionMetric)); // not a counter: no _total
    }

    [Fact]
    public void A_label_picks_the_label_sets_that_hold_it_whole()
    {
        Assert.Equal(1.5, PrometheusCounter.Delta(Before, After, "ai_agent_gateway_frames_late", "reason=\"backpressure\""));
        Assert.Equal(4, PrometheusCounter.Sum(After, "ai_agent_gateway_frames_late", "provider=\"openai\""));
        Assert.Equal(0, PrometheusCounter.Sum(After, "ai_agent_gateway_frames_late", "ason=\"deadline\"")); // part of reason="deadline"
        Assert.Equal(0, PrometheusCounter.Sum(After, "ai_agent_gateway_frames_dropped", "provider=\"local\"")); // a sample without labels has none
    }

    [Fact]
    public void The_platforms_collections_are_split_by_generation_and_its_pause_is_in_milliseconds()
    {
        const string before = """
            dotnet_gc_collections_total{gc_heap_generation="gen0"} 10
            dotnet_gc_collections_total{gc_heap_generation="gen1"} 2
            dotnet_gc_collections_total{gc_heap_generation="gen2"} 1
            dotnet_gc_pause_time_seconds_total 0.25
            """;
        const string after = """
            dotnet_gc_collections_total{gc_heap_generation="gen0"} 15
            dotnet_gc_collections_total{gc_heap_generation="gen1"} 4
            dotnet_gc_collections_total{gc_heap_generation="gen2"} 1
            dotnet_gc_pause_time_seconds_total 0.375
            """;

        Assert.Equal(new GcActivity(5, 2, 0, 125), GcActivity.Between(before, after));
        Assert.Null(GcActivity.Between(Before, After)); // a platform that does not export runtime metrics
    }

    [Fact]
    public void Single_pauses_over_20_ms_come_from_the_platforms_pause_histogram_over_every_generation()
    {
        const string before = """
            dotnet_gc_collections_total{gc_heap_generation="gen0"} 10
            ai_agent_runtime_gc_pause_seconds_bucket{generation="0",le="0.02"} 9
            ai_agent_runtime_gc_pause_seconds_bucket{generation="0",le="+Inf"} 10
            """;
        const string after = """
            dotnet_gc_collections_total{gc_heap_generation="gen0"} 15
            ai_agent_runtime_gc_pause_seconds_bucket{generation="0",le="0.02"} 12
            ai_agent_runtime_gc_pause_seconds_bucket{generation="0",le="+Inf"} 15
            ai_agent_runtime_gc_pause_seconds_bucket{generation="2",le="0.02"} 0
            ai_agent_runtime_gc_pause_seconds_bucket{generation="2",le="+Inf"} 1
            """;

        // gen0: 5 pauses, 3 of them within 20 ms; gen2: its one pause over.
        Assert.Equal(3, GcActivity.Between(before, after)!.PausesOver20Ms);
        Assert.Null(GcActivity.Between(before.Replace("ai_agent_runtime", "x", StringComparison.Ordinal), "dotnet_gc_collections_total 1")!.PausesOver20Ms);
    }

    [Fact]
    public void A_counter_never_incremented_is_not_exported_and_counts_as_zero() =>
        Assert.Equal(0, PrometheusCounter.Delta(Before, After, "ai_agent_gateway_playout_underruns"));

    [Fact]
    public void A_sample_that_is_not_a_number_is_an_error_naming_the_metric()
    {
        var error = Assert.Throws<FormatException>(() => PrometheusCounter.Sum("ai_agent_x_total{a=\"b\"} many", "ai_agent_x"));
        Assert.Contains("ai_agent_x_total", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_platform_metrics_of_a_run_come_from_both_scrapes()
    {
        var metrics = PlatformMetrics.From(Before, After);

        Assert.Equal(12.5, metrics.FramesLate);
        Assert.Equal(7, metrics.FramesDropped);
        Assert.Equal(0, metrics.PlayoutUnderruns);
        Assert.Equal(10, metrics.PlatformAddedLatency.Count);
        Assert.Equal(5, metrics.PlatformAddedLatency.P50Ms!.Value, 6); // rank 5 of 10 in (0, 10] ms
        Assert.Equal(0, metrics.TurnResponse.Count);
        Assert.Null(metrics.TurnResponse.P99Ms);
    }
}
