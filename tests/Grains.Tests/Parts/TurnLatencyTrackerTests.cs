using AiAgent.Grains.Calls;

namespace AiAgent.Grains.Tests.Parts;

public sealed class TurnLatencyTrackerTests : IDisposable
{
    private readonly CallPartsHarness _h = new();
    private readonly TurnLatencyTracker _tracker;
    private readonly DateTime _start;

    public TurnLatencyTrackerTests()
    {
        _start = _h.Now;
        _tracker = new TurnLatencyTracker(_h.Call, _start, callActivity: null);
    }

    public void Dispose() => _h.Dispose();

    [Fact]
    public void The_greeting_is_measured_from_the_call_start_once()
    {
        using var greeting = _h.Collect<double>("ai_agent_greeting_latency");
        var first = new PlayoutUtterance(1, isGreeting: true, _start.AddMilliseconds(300));

        _tracker.OnPlayoutStarted(first, _start.AddMilliseconds(800));
        _tracker.OnPlayoutStarted(first, _start.AddMilliseconds(900));

        Assert.Equal([0.8], greeting.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Empty(_tracker.LatenciesMs); // the greeting is no turn
    }

    [Fact]
    public void A_turn_is_measured_from_the_end_of_speech_to_the_first_frame_of_its_answer()
    {
        using var turns = _h.Collect<double>("ai_agent_turn_response");
        var stopped = _start.AddSeconds(10);

        _tracker.OnCallerTurnEnded(stopped);
        _tracker.OnPlayoutStarted(new PlayoutUtterance(2, false, stopped.AddMilliseconds(400)), stopped.AddMilliseconds(612));

        Assert.Equal([612.0], _tracker.LatenciesMs);
        Assert.Equal(0.612, Assert.Single(turns.GetMeasurementSnapshot()).Value, 6);
        var log = Assert.Single(_h.Logger.Collector.GetSnapshot());
        Assert.Equal(2010, log.Id.Id);
        Assert.Equal(CallPartsHarness.Provider, log.GetStructuredStateValue("Provider"));
    }

    [Fact]
    public void Audio_that_arrived_before_the_turn_ended_does_not_answer_it()
    {
        var stopped = _start.AddSeconds(10);
        _tracker.OnCallerTurnEnded(stopped);

        _tracker.OnPlayoutStarted(new PlayoutUtterance(2, false, stopped.AddMilliseconds(-50)), stopped.AddMilliseconds(100));
        Assert.Empty(_tracker.LatenciesMs);

        _tracker.OnPlayoutStarted(new PlayoutUtterance(3, false, stopped.AddMilliseconds(300)), stopped.AddMilliseconds(500));
        Assert.Equal([500.0], _tracker.LatenciesMs);
    }

    [Fact]
    public void A_turn_is_answered_once_and_a_later_end_of_speech_starts_the_next()
    {
        var stopped = _start.AddSeconds(10);
        _tracker.OnCallerTurnEnded(stopped);
        _tracker.OnPlayoutStarted(new PlayoutUtterance(2, false, stopped), stopped.AddMilliseconds(200));
        _tracker.OnPlayoutStarted(new PlayoutUtterance(3, false, stopped), stopped.AddMilliseconds(900));

        _tracker.OnCallerTurnEnded(stopped.AddSeconds(5));
        _tracker.OnPlayoutStarted(new PlayoutUtterance(4, false, stopped.AddSeconds(5)), stopped.AddSeconds(5.3));

        Assert.Equal([200.0, 300.0], _tracker.LatenciesMs);
    }

    [Fact]
    public void The_snapshot_keeps_a_bounded_number_of_latencies()
    {
        for (var i = 0; i < TurnLatencyTracker.LatencyLimit + 10; i++)
        {
            var stopped = _start.AddSeconds(i);
            _tracker.OnCallerTurnEnded(stopped);
            _tracker.OnPlayoutStarted(new PlayoutUtterance(i + 2, false, stopped), stopped.AddMilliseconds(100));
        }

        Assert.Equal(TurnLatencyTracker.LatencyLimit, _tracker.LatenciesMs.Count);
    }
}
