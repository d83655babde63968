using AiAgent.Gateway.Playout;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Time.Testing;

namespace AiAgent.Gateway.Tests;

public sealed class PlayoutReporterTests
{
    private static readonly TimeSpan s_frame = TimeSpan.FromMilliseconds(20);
    private readonly FakeTimeProvider _time = new();

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    [Fact]
    public void Latency_counts_from_the_audio_arriving_to_its_first_frame()
    {
        var reporter = new PlayoutReporter(_time, AudioFormat.Slin8, s_frame);
        var received = Now;
        _time.Advance(TimeSpan.FromMilliseconds(7));

        reporter.OnFrameCut(new CutFrame(1, Started: true, Completed: false, PlayedBytes: 320, received));

        Assert.True(reporter.Reports.TryRead(out var report));
        Assert.Equal(new PlayoutReport(1, PlayoutEvent.Started, 20, Now, TimeSpan.FromMilliseconds(7)), report);
    }

    [Fact]
    public void Audio_queued_behind_another_utterance_counts_from_the_tick_after_its_last_frame()
    {
        var reporter = new PlayoutReporter(_time, AudioFormat.Slin8, s_frame);
        var received = Now;
        _time.Advance(TimeSpan.FromMilliseconds(500));
        reporter.OnFrameCut(new CutFrame(1, Started: false, Completed: true, PlayedBytes: 8000, received));
        _time.Advance(TimeSpan.FromMilliseconds(23));

        reporter.OnFrameCut(new CutFrame(2, Started: true, Completed: false, PlayedBytes: 320, received));

        Assert.True(reporter.Reports.TryRead(out var completed));
        Assert.Equal((PlayoutEvent.Completed, 500L), (completed.Event, completed.PlayedMilliseconds));
        Assert.True(reporter.Reports.TryRead(out var started));
        Assert.Equal(TimeSpan.FromMilliseconds(3), started.PlatformLatency);
    }

    [Fact]
    public void Latency_is_never_negative()
    {
        var reporter = new PlayoutReporter(_time, AudioFormat.Slin8, s_frame);

        reporter.OnFrameCut(new CutFrame(1, Started: true, Completed: true, PlayedBytes: 320, Now.AddSeconds(1)));

        Assert.True(reporter.Reports.TryRead(out var started));
        Assert.Equal(TimeSpan.Zero, started.PlatformLatency);
        Assert.True(reporter.Reports.TryRead(out var completed));
        Assert.Equal(PlayoutEvent.Completed, completed.Event);
    }

    [Fact]
    public async Task Completion_and_flush_report_what_was_played_and_complete_ends_the_reports()
    {
        var reporter = new PlayoutReporter(_time, AudioFormat.Slin16, s_frame);

        reporter.Completed(3, 640 * 4);
        reporter.Flushed(4, 640);
        reporter.Complete();

        var reports = await reporter.Reports.ReadAllAsync().Select(r => (r.UtteranceId, r.Event, r.PlayedMilliseconds)).ToListAsync();
        Assert.Equal([(3, PlayoutEvent.Completed, 80L), (4, PlayoutEvent.Flushed, 20L)], reports);
    }
}
