using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Tests.Parts;

public sealed class PlayoutReportHandlerTests : IDisposable
{
    private readonly CallPartsHarness _h = new();
    private readonly PlayoutTracker _playout = new();
    private readonly FakeAgentSession _session = new();
    private readonly TurnLatencyTracker _latency;
    private readonly PlayoutReportHandler _handler;

    public PlayoutReportHandlerTests()
    {
        _latency = new TurnLatencyTracker(_h.Call, _h.Now, callActivity: null);
        _handler = new PlayoutReportHandler(_playout, _latency, _session, _h.Call);
    }

    public void Dispose() => _h.Dispose();

    private PlayoutReport Report(int utteranceId, PlayoutEvent e, long playedMs = 0) => new(utteranceId, e, playedMs, _h.Now, TimeSpan.Zero);

    [Fact]
    public async Task Every_report_of_a_live_call_reaches_the_session_even_for_utterances_the_call_forgot()
    {
        _playout.OnAgentAudio(1, _h.Now, out _);
        PlayoutReport[] reports = [Report(1, PlayoutEvent.Started), Report(1, PlayoutEvent.Completed, 900), Report(42, PlayoutEvent.Flushed, 10)];

        foreach (var report in reports)
        {
            await _handler.OnReportAsync(report, callActive: true, CancellationToken.None);
        }

        Assert.Equal(reports, _session.PlayoutReports);
    }

    [Fact]
    public async Task An_ended_call_keeps_the_session_out_of_it()
    {
        _playout.OnAgentAudio(1, _h.Now, out _);
        _playout.Interrupt(1);

        await _handler.OnReportAsync(Report(1, PlayoutEvent.Flushed, 300), callActive: false, CancellationToken.None);

        Assert.Empty(_session.PlayoutReports);
        Assert.Empty(_session.Interruptions);
        Assert.Equal(_h.Now, _playout.State.LastPlayoutEndedUtc); // the call's own view is still kept
    }

    [Fact]
    public async Task A_flush_after_barge_in_tells_the_session_how_much_was_heard()
    {
        _playout.OnAgentAudio(1, _h.Now, out _);
        _playout.OnAgentAudio(2, _h.Now, out _);
        _playout.Interrupt(2);

        await _handler.OnReportAsync(Report(1, PlayoutEvent.Flushed, 100), callActive: true, CancellationToken.None); // not barged in
        await _handler.OnReportAsync(Report(2, PlayoutEvent.Flushed, 640), callActive: true, CancellationToken.None);

        Assert.Equal([(2, 640L)], _session.Interruptions);
    }

    [Fact]
    public async Task The_first_frame_of_an_answer_played_times_the_turn()
    {
        _latency.OnCallerTurnEnded(_h.Now);
        _playout.OnCallerTurnEnded();
        _playout.OnAgentAudio(3, _h.Now, out _);

        await _handler.OnReportAsync(Report(3, PlayoutEvent.Started) with { AtUtc = _h.Now.AddMilliseconds(450) }, callActive: true, CancellationToken.None);

        Assert.Equal([450.0], _latency.LatenciesMs);
        Assert.Equal(_h.Now.AddMilliseconds(450), _playout.State.Playing?.PlayoutStartedUtc);
    }

    [Fact]
    public async Task A_session_that_fails_on_a_report_is_logged_and_the_report_still_applies()
    {
        _session.Failure = new InvalidOperationException("socket closed");
        _playout.OnAgentAudio(1, _h.Now, out _);
        _playout.Interrupt(1);

        await _handler.OnReportAsync(Report(1, PlayoutEvent.Flushed, 300), callActive: true, CancellationToken.None);

        Assert.Equal(_h.Now, _playout.State.LastPlayoutEndedUtc);
        Assert.Equal(["playout report", "playout interrupted"], _h.Logger.Collector.GetSnapshot().Where(r => r.Id.Id == 2013).Select(r => r.GetStructuredStateValue("Operation")));
    }
}
