using AiAgent.CallSim.Cli;
using AiAgent.CallSim.Reporting;

namespace AiAgent.CallSim.Tests;

public sealed class PrometheusHistogramTests
{
    private const string Before = """
        # TYPE ai_agent_platform_added_latency_seconds histogram
        ai_agent_platform_added_latency_seconds_bucket{otel_scope_name="AiAgent.Gateway",provider="local",le="0.005"} 1
        ai_agent_platform_added_latency_seconds_bucket{otel_scope_name="AiAgent.Gateway",provider="local",le="0.01"} 2
        ai_agent_platform_added_latency_seconds_bucket{otel_scope_name="AiAgent.Gateway",provider="local",le="0.02"} 2
        ai_agent_platform_added_latency_seconds_bucket{otel_scope_name="AiAgent.Gateway",provider="local",le="+Inf"} 2
        ai_agent_platform_added_latency_seconds_count{otel_scope_name="AiAgent.Gateway",provider="local"} 2
        """;

    // 100 more observations: 40 + 10 (local, deepgram) under 5 ms, 30 more under 10 ms, 19 under 20 ms, 1 above.
    private const string After = """
        ai_agent_platform_added_latency_seconds_bucket{otel_scope_name="AiAgent.Gateway",provider="local",le="0.005"} 41
        ai_agent_platform_added_latency_seconds_bucket{otel_scope_name="AiAgent.Gateway",provider="local",le="0.01"} 72
        ai_agent_platform_added_latency_seconds_bucket{otel_scope_name="AiAgent.Gateway",provider="local",le="0.02"} 91
        ai_agent_platform_added_latency_seconds_bucket{otel_scope_name="AiAgent.Gateway",provider="local",le="+Inf"} 92
        ai_agent_platform_added_latency_seconds_bucket{otel_scope_name="AiAgent.Gateway",provider="deepgram",le="0.005"} 10
        ai_agent_platform_added_latency_seconds_bucket{otel_scope_name="AiAgent.Gateway",provider="deepgram",le="0.01"} 10
        ai_agent_platform_added_latency_seconds_bucket{otel_scope_name="AiAgent.Gateway",provider="deepgram",le="0.02"} 10
        ai_agent_platform_added_latency_seconds_bucket{otel_scope_name="AiAgent.Gateway",provider="deepgram",le="+Inf"} 10
        ai_agent_turn_response_seconds_bucket{otel_scope_name="AiAgent.Calls",provider="local",le="0.005"} 3
        """;

    [Fact]
    public void A_run_is_the_difference_of_two_scrapes_summed_over_providers()
    {
        var run = PrometheusHistogram.Parse(After, "ai_agent_platform_added_latency_seconds")
            .Since(PrometheusHistogram.Parse(Before, "ai_agent_platform_added_latency_seconds"));

        Assert.Equal(100, run.Count);
        Assert.Equal(0.005, run.Quantile(0.5), 6);                        // rank 50: the 50th is the last under 5 ms
        Assert.Equal(0.005 + (0.005 * 20 / 30), run.Quantile(0.7), 6);   // rank 70: 20 into the 30 of (5, 10] ms
        Assert.Equal(0.01 + (0.01 * 10 / 19), run.Quantile(0.9), 6);     // rank 90: 10 into the 19 of (10, 20] ms
        Assert.Equal(0.02, run.Quantile(0.995), 6);                       // in +Inf: only the last finite bound is known
    }

    [Fact]
    public void An_absent_histogram_has_no_observations()
    {
        var run = PrometheusHistogram.Parse(After, "ai_agent_no_such_seconds");

        Assert.Equal(0, run.Count);
        Assert.True(double.IsNaN(run.Quantile(0.5)));
        Assert.Contains("no observations", CallSimCommand.PlatformLatencyText(Before, Before), StringComparison.Ordinal);
    }
}
