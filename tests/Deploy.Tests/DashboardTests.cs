using System.Text.Json;
using System.Text.RegularExpressions;
using k8s.Models;

namespace AiAgent.Deploy.Tests;

/// <summary>
/// The Grafana dashboard (<c>k8s/grafana/ai-agent-platform.json</c>) queries only metrics the platform exports
/// (the tables of docs/metrics.md), has the panels operators need, and is provisioned from k8s/.
/// </summary>
[Collection(RenderedCollection.Name)]
public sealed partial class DashboardTests(RenderedManifests rendered)
{
    private const string FileName = "ai-agent-platform.json";

    /// <summary>Calls moved to another silo or gateway, by <c>kind</c> (silo_lost, silo_drained, gateway_reattach).</summary>
    private const string FailoverMetric = "ai_agent_call_failovers_total";

    private static readonly Lazy<JsonDocument> Dashboard = new(() => JsonDocument.Parse(File.ReadAllText(RepositoryRoot.PathTo("k8s", "grafana", FileName))));

    public static TheoryData<string, string[]> RequiredPanels => new()
    {
        { "Live calls per silo", ["ai_agent_active_calls"] },
        { "Live calls per gateway", ["ai_agent_gateway_connections_active"] },
        { "Turn latency p50 / p99", ["histogram_quantile(0.5,", "histogram_quantile(0.99,", "ai_agent_turn_response_seconds_bucket"] },
        { "Platform-added latency p50 / p99", ["histogram_quantile(0.5,", "histogram_quantile(0.99,", "ai_agent_platform_added_latency_seconds_bucket"] },
        { "Caller frame gaps and losses", ["ai_agent_gateway_caller_gaps_total", "ai_agent_caller_frames_lost_total"] },
        { "Late frames", ["ai_agent_gateway_frames_late_total"] },
        { "Underruns and dropped frames", ["ai_agent_gateway_playout_underruns_total", "ai_agent_gateway_frames_dropped_total"] },
        { "Provider errors", ["ai_agent_provider_errors_total", "kind"] },
        { "Provider reconnects", ["ai_agent_provider_reconnects_total"] },
        { "Call failovers", [FailoverMetric, "by (kind)"] },
    };

    [Fact]
    public void Every_metric_the_dashboard_queries_is_one_the_platform_exports()
    {
        var exported = ExportedMetrics();
        var queried = Expressions().SelectMany(e => MetricName().Matches(e).Select(m => m.Value)).Distinct().ToList();

        Assert.NotEmpty(queried);
        Assert.All(queried, name => Assert.True(
            exported.Contains(name) || exported.Contains(HistogramSeriesSuffix().Replace(name, "")),
            $"{name} is not a metric in docs/metrics.md"));
    }

    [Theory]
    [MemberData(nameof(RequiredPanels))]
    public void The_dashboard_has_the_panels_operators_need(string title, string[] mustQuery)
    {
        var panel = Panels().SingleOrDefault(p => p.GetProperty("title").GetString() == title);
        Assert.True(panel.ValueKind == JsonValueKind.Object, $"no panel titled {title}");

        var expressions = string.Join("\n", panel.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()));
        Assert.All(mustQuery, text => Assert.Contains(text, expressions, StringComparison.Ordinal));
    }

    [Fact]
    public void Every_panel_queries_the_data_source_the_dashboard_is_given()
    {
        var variable = Dashboard.Value.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
            .Single(v => v.GetProperty("type").GetString() == "datasource");
        Assert.Equal("prometheus", variable.GetProperty("query").GetString());

        Assert.All(Panels().Where(p => p.GetProperty("type").GetString() != "row"), panel =>
            Assert.Equal("${" + variable.GetProperty("name").GetString() + "}", panel.GetProperty("datasource").GetProperty("uid").GetString()));
    }

    [Fact]
    public void The_dashboard_is_provisioned_from_k8s_for_a_dashboard_sidecar_and_for_the_Grafana_overlay()
    {
        var configMap = rendered.Platform.Get<V1ConfigMap>("ai-agent-grafana-dashboards");
        Assert.Equal("1", configMap.Metadata.Labels["grafana_dashboard"]);
        Assert.Equal(File.ReadAllText(RepositoryRoot.PathTo("k8s", "grafana", FileName)), configMap.Data[FileName]);

        var grafana = rendered.Grafana.Get<V1Deployment>("grafana").Spec.Template.Spec;
        var volume = grafana.Volumes.Single(v => v.ConfigMap?.Name == configMap.Metadata.Name);
        var mount = grafana.Containers[0].VolumeMounts.Single(m => m.Name == volume.Name);
        var providers = rendered.Grafana.All<V1ConfigMap>().Single(c => c.Metadata.Name.StartsWith("ai-agent-grafana-provisioning", StringComparison.Ordinal));
        Assert.Contains($"path: {mount.MountPath}", providers.Data["dashboards.yaml"], StringComparison.Ordinal);
    }

    private static IEnumerable<JsonElement> Panels() => Dashboard.Value.RootElement.GetProperty("panels").EnumerateArray();

    private static IEnumerable<string> Expressions() =>
        Panels().Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .Select(t => t.GetProperty("expr").GetString() ?? "")
            .Concat(Dashboard.Value.RootElement.GetProperty("templating").GetProperty("list").EnumerateArray()
                .Where(v => v.TryGetProperty("definition", out _))
                .Select(v => v.GetProperty("definition").GetString() ?? ""));

    /// <summary>The Prometheus names in the tables of docs/metrics.md.</summary>
    private static HashSet<string> ExportedMetrics() =>
        [.. File.ReadLines(RepositoryRoot.PathTo("docs", "metrics.md")).Select(line => DocumentedMetric().Match(line)).Where(m => m.Success).Select(m => m.Groups[1].Value)];

    [GeneratedRegex(@"\bai_agent_[a-z0-9_]+")]
    private static partial Regex MetricName();

    [GeneratedRegex("_(bucket|sum|count)$")]
    private static partial Regex HistogramSeriesSuffix();

    [GeneratedRegex(@"^\| `(ai_agent_[a-z0-9_]+)` \|")]
    private static partial Regex DocumentedMetric();
}
