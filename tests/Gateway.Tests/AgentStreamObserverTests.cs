using System.Diagnostics.Metrics;
using System.IO.Pipelines;
using AiAgent.Gateway.Configuration;
using AiAgent.Gateway.Diagnostics;
using AiAgent.Gateway.Playout;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AiAgent.Gateway.Tests;

/// <summary>The agent stream's events reach the call's playout in order (no pacer, fake clock).</summary>
public sealed class AgentStreamObserverTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _log = new();
    private readonly PlayoutCall _call;
    private readonly AgentStreamObserver _observer;

    public AgentStreamObserverTests()
    {
        var metrics = new GatewayMetrics(_services.GetRequiredService<IMeterFactory>());
        _call = new PlayoutCall(Guid.NewGuid(), AudioFormat.Slin8, AudioFormat.Slin8, new Pipe().Writer, new Pipe().Reader,
            new AudioSocketOptions(), _time, metrics, NullLogger.Instance);
        _observer = new AgentStreamObserver(_call, metrics, _log);
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task A_duplicate_event_is_dropped_and_logged_with_what_was_expected()
    {
        await _observer.OnNextAsync(new AgentAudioChunk(0, 1, new byte[320], Now));
        await _observer.OnNextAsync(new AgentUtteranceDone(1, 1));
        await _observer.OnNextAsync(new FlushPlayout(1, 1)); // a redelivery: not played

        var anomaly = Assert.Single(_log.Collector.GetSnapshot());
        Assert.Equal(2204, anomaly.Id.Id);
        Assert.Equal("1", anomaly.GetStructuredStateValue("Sequence"));
        Assert.Equal("2", anomaly.GetStructuredStateValue("Expected"));
        Assert.Equal([PlayoutEvent.Started, PlayoutEvent.Completed], ReadReports());
    }

    [Fact]
    public async Task Events_after_a_gap_are_still_played()
    {
        await _observer.OnNextAsync(new AgentAudioChunk(0, 1, new byte[320], Now));
        await _observer.OnNextAsync(new AgentUtteranceDone(3, 1));

        Assert.Equal(2204, Assert.Single(_log.Collector.GetSnapshot()).Id.Id);
        Assert.Equal([PlayoutEvent.Started, PlayoutEvent.Completed], ReadReports());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_platform_ending_the_call_ends_it_at_once_or_after_the_queue(bool drain)
    {
        await _observer.OnNextAsync(new CallEnding(0, CallEndReason.AgentHangup, drain));

        Assert.Equal(2202, Assert.Single(_log.Collector.GetSnapshot()).Id.Id);
        Assert.Equal(CallEndReason.AgentHangup, _call.EndReason);
        Assert.True(_call.EndedByPlatform);
        Assert.Equal(!drain, _call.IsEndSignalled);
    }

    [Fact]
    public async Task A_stream_error_is_logged()
    {
        await _observer.OnErrorAsync(new InvalidOperationException("test"));

        Assert.Equal(2203, _log.LatestRecord.Id.Id);
    }

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    private List<PlayoutEvent> ReadReports()
    {
        _call.Close();
        var events = new List<PlayoutEvent>();
        while (_call.Reports.TryRead(out var report))
        {
            events.Add(report.Event);
        }

        return events;
    }
}
