using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Tests.Parts;

public sealed class PlayoutTrackerTests
{
    private static readonly DateTime T0 = new(2026, 1, 1, 12, 0, 0, DateTimeKind.Utc);
    private readonly PlayoutTracker _tracker = new();

    [Fact]
    public void The_first_audio_before_any_caller_turn_is_the_greeting()
    {
        Assert.True(_tracker.GreetingPending);

        var greeting = _tracker.OnAgentAudio(1, T0, out var isNew);
        var again = _tracker.OnAgentAudio(1, T0.AddSeconds(1), out var againNew);
        var next = _tracker.OnAgentAudio(2, T0.AddSeconds(2), out _);

        Assert.True(isNew);
        Assert.False(againNew);
        Assert.Same(greeting, again);
        Assert.True(greeting.IsGreeting);
        Assert.False(next.IsGreeting);
        Assert.False(_tracker.GreetingPending);
    }

    [Fact]
    public void After_a_caller_turn_the_first_audio_is_an_answer()
    {
        _tracker.OnCallerTurnEnded();

        Assert.False(_tracker.GreetingPending);
        Assert.False(_tracker.OnAgentAudio(1, T0, out _).IsGreeting);
    }

    [Fact]
    public void The_newest_utterance_plays_until_the_gateway_reports_its_end()
    {
        _tracker.OnAgentAudio(1, T0, out _);
        Assert.Equal(new PlayingUtterance(1, true, null), _tracker.State.Playing);

        _tracker.OnPlayoutReport(new PlayoutReport(1, PlayoutEvent.Started, 0, T0.AddSeconds(1), TimeSpan.Zero));
        Assert.Equal(new PlayingUtterance(1, true, T0.AddSeconds(1)), _tracker.State.Playing);

        var ended = _tracker.OnPlayoutReport(new PlayoutReport(1, PlayoutEvent.Completed, 900, T0.AddSeconds(2), TimeSpan.Zero));
        Assert.Equal(T0.AddSeconds(2), ended?.PlayoutEndedUtc);
        Assert.Equal(new PlayoutState(null, false, T0.AddSeconds(2)), _tracker.State);
    }

    [Fact]
    public void An_interrupted_utterance_is_no_longer_heard()
    {
        _tracker.OnAgentAudio(1, T0, out _);

        _tracker.Interrupt(1);

        Assert.True(_tracker.TryGet(1, out var utterance) && utterance.Interrupted);
        Assert.Null(_tracker.State.Playing);
        Assert.Null(_tracker.State.LastPlayoutEndedUtc); // until the gateway reports the flush
        _tracker.OnPlayoutReport(new PlayoutReport(1, PlayoutEvent.Flushed, 300, T0.AddSeconds(1), TimeSpan.Zero));
        Assert.Equal(T0.AddSeconds(1), _tracker.State.LastPlayoutEndedUtc);
    }

    [Fact]
    public void The_end_of_an_older_utterance_leaves_the_newer_one_playing()
    {
        _tracker.OnAgentAudio(1, T0, out _);
        _tracker.OnAgentAudio(2, T0.AddSeconds(1), out _);

        _tracker.OnPlayoutReport(new PlayoutReport(1, PlayoutEvent.Completed, 900, T0.AddSeconds(2), TimeSpan.Zero));

        Assert.Equal(2, _tracker.State.Playing?.Id);
    }

    [Fact]
    public void A_report_on_an_unknown_utterance_changes_nothing()
    {
        Assert.Null(_tracker.OnPlayoutReport(new PlayoutReport(9, PlayoutEvent.Completed, 0, T0, TimeSpan.Zero)));
        Assert.Null(_tracker.State.LastPlayoutEndedUtc);
    }

    [Fact]
    public void Finished_utterances_are_forgotten_once_many_accumulate_and_unfinished_ones_kept()
    {
        for (var id = 1; id <= 40; id++)
        {
            _tracker.OnAgentAudio(id, T0.AddSeconds(id), out _);
            if (id != 5)
            {
                _tracker.OnPlayoutReport(new PlayoutReport(id, PlayoutEvent.Completed, 100, T0.AddSeconds(id), TimeSpan.Zero));
            }
        }

        Assert.True(_tracker.TryGet(5, out _), "an utterance still playing may get reports");
        Assert.False(_tracker.TryGet(1, out _));
        var late = _tracker.OnAgentAudio(1, T0.AddMinutes(1), out var isNew);
        Assert.True(isNew);
        Assert.False(late.IsGreeting); // forgetting utterances never makes a greeting again
    }
}
