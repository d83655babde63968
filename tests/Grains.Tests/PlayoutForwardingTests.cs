using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Tests.Recording;
using AiAgent.Silo.Hosting;
using AiAgent.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace AiAgent.Grains.Tests;

/// <summary>
/// The call grain forwards every gateway playout report to the provider session (the provider transport's
/// playout-end estimate depends on it): a provider registered from this test, as the default, receives exactly the
/// reports the gateway sent, in order.
/// </summary>
public sealed class PlayoutForwardingTests : IAsyncLifetime
{
    private const string Yaml = """
        default_provider: recording
        barge_in:
          enabled: true
        """;

    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await RecordingCluster.DeployAsync(Yaml);

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private RecordingProvider Provider => RecordingCluster.ProviderOf(_cluster);

    [Fact]
    public async Task Every_playout_report_reaches_the_provider_session_in_order()
    {
        await using var call = await CallProbe.StartAsync(_cluster.Client);
        Assert.Equal(RecordingProvider.ProviderName, call.Started.Provider);
        var session = Provider.SessionOf(call.CallId);

        // The agent speaks twice; the gateway plays the first utterance out and flushes the second part-way (barge-in).
        session.Speak(utteranceId: 1, milliseconds: 400);
        var (first, _) = await call.NextUtteranceAsync();
        session.Speak(utteranceId: 2, milliseconds: 600);
        var (second, _) = await call.NextUtteranceAsync();
        var at = DateTime.UtcNow;
        PlayoutReport[] sent =
        [
            new(first, PlayoutEvent.Started, 0, at, TimeSpan.FromMilliseconds(3)),
            new(first, PlayoutEvent.Completed, 400, at.AddMilliseconds(400), TimeSpan.Zero),
            new(second, PlayoutEvent.Started, 0, at.AddMilliseconds(420), TimeSpan.FromMilliseconds(2)),
            new(second, PlayoutEvent.Flushed, 240, at.AddMilliseconds(660), TimeSpan.Zero),
        ];
        // Back to back, as the gateway's report pump sends them: each call returns once the grain has taken the report,
        // so the order holds without waiting in between (it did not while the method was one-way).
        foreach (var report in sent)
        {
            await call.Grain.ReportPlayoutAsync(report);
        }

        await Waits.UntilAsync(() => session.PlayoutReports.Count >= sent.Length, what: "the session received all four playout reports");
        Assert.Equal([1, 2], [first, second]);
        Assert.Equal(
            [(1, PlayoutEvent.Started, 0L), (1, PlayoutEvent.Completed, 400L), (2, PlayoutEvent.Started, 0L), (2, PlayoutEvent.Flushed, 240L)],
            session.PlayoutReports.Select(r => (r.UtteranceId, r.Event, r.PlayedMilliseconds)));
        Assert.Equal(sent, session.PlayoutReports);
        await call.Grain.HangupAsync(CallEndReason.CallerHangup);
    }
}
