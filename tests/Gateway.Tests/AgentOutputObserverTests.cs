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

/// <summary>The agent output events reach the call's playout in order (no pacer, fake clock).</summary>
public sealed class AgentOutputObserverTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger _log = new();
    private readonly PlayoutCall _call;
    private readonly AgentOutputObserver _observer;

    public AgentOutputObserverTests()
    {
        var metrics = new GatewayMetrics(_services.GetRequiredService<IMeterFactory>());
        _call = new PlayoutCall(Guid.NewGuid(), AudioFormat.Slin8, AudioFormat.Slin8, new Pipe().Writer, new Pipe().Reader,
            new AudioSocketOptions(), _time, metrics, NullLogger.Instance);
        _observer = new AgentOutputObserver(_call, metrics, _log);
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public async Task A_duplicate_event_is_dropped_and_logged_with_what_was_expected()
    {
        await _observer.OnAgentEventAsync(new AgentAudioChunk(0, 1, new byte[320], Now));
        await _observer.OnAgentEventAsync(new AgentUtteranceDone(1, 1));
        await _observer.OnAgentEventAsync(new FlushPlayout(1, 1)); // a redelivery: not played

        var anomaly = Assert.Single(_log.Collector.GetSnapshot());
        Assert.Equal(2204, anomaly.Id.Id);
        Assert.Equal("1", anomaly.GetStructuredStateValue("Sequence"));
        Assert.Equal("2", anomaly.GetStructuredStateValue("Expected"));
        Assert.Equal([PlayoutEvent.Started, PlayoutEvent.Completed], ReadReports());
    }

    [Fact]
    public async Task Events_after_a_gap_are_still_played()
    {
        await _observer.OnAgentEventAsync(new AgentAudioChunk(0, 1, new byte[320], Now));
        await _observer.OnAgentEventAsync(new AgentUtteranceDone(3, 1));

        Assert.Equal(2204, Assert.Single(_log.Collector.GetSnapshot()).Id.Id);
        Assert.Equal([PlayoutEvent.Started, PlayoutEvent.Completed], ReadReports());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_platform_ending_the_call_ends_it_at_once_or_after_the_queue(bool drain)
    {
        await _observer.OnAgentEventAsync(new CallEnding(0, CallEndReason.AgentHangup, drain));

        Assert.Equal(2202, Assert.Single(_log.Collector.GetSnapshot()).Id.Id);
        Assert.Equal(CallEndReason.AgentHangup, _call.EndReason);
        Assert.True(_call.EndedByPlatform);
        Assert.Equal(!drain, _call.IsEndSignalled);
    }

    [Fact]
    public async Task An_event_of_a_replaced_epoch_is_refused_and_not_played()
    {
        Assert.True(await _observer.OnAgentEventAsync(new AgentAudioChunk(1, 1, new byte[320], Now) { Epoch = 2 }));

        // The activation at epoch 1 was replaced: it learns so from the answer and must stop.
        Assert.False(await _observer.OnAgentEventAsync(new AgentAudioChunk(9, 7, new byte[320], Now) { Epoch = 1 }));
        Assert.Equal(2, _observer.Epoch);
        Assert.Equal([PlayoutEvent.Started], ReadReports());
    }

    [Fact]
    public async Task A_newer_epoch_restarts_the_numbering_without_a_gap_or_a_duplicate()
    {
        await _observer.OnAgentEventAsync(new AgentAudioChunk(5, 1, new byte[320], Now) { Epoch = 1 });

        Assert.True(await _observer.OnAgentEventAsync(new AgentUtteranceDone(1, 1) { Epoch = 2 }));

        Assert.Empty(_log.Collector.GetSnapshot());
        Assert.Equal([PlayoutEvent.Started, PlayoutEvent.Completed], ReadReports());
    }

    [Fact]
    public async Task Following_an_attached_epoch_refuses_older_ones_before_the_new_one_has_sent_anything()
    {
        await _observer.OnAgentEventAsync(new AgentAudioChunk(1, 1, new byte[320], Now) { Epoch = 1 });

        _observer.Follow(2);

        Assert.False(await _observer.OnAgentEventAsync(new AgentUtteranceDone(2, 1) { Epoch = 1 }));
    }

    [Fact]
    public async Task A_handover_asks_for_the_next_epoch()
    {
        var requested = new List<int>();
        _observer.HandoverRequested += requested.Add;

        await _observer.OnAgentEventAsync(new CallHandover(1, NextEpoch: 4) { Epoch = 3 });

        Assert.Equal([4], requested);
        Assert.Equal(2207, _log.LatestRecord.Id.Id);
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
