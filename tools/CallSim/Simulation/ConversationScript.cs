using AiAgent.CallSim.Reporting;

namespace AiAgent.CallSim.Simulation;

/// <summary>What the caller sends on one tick of a conversation.</summary>
public enum CallerAction
{
    /// <summary>A silence frame (listening, pausing, waiting for the greeting).</summary>
    Silence,

    /// <summary>Frame <see cref="CallerStep.AudioFrame"/> of the caller's speech.</summary>
    Speech,

    /// <summary>The conversation is over: hang up.</summary>
    HangUp,
}

/// <summary>One tick's decision.</summary>
/// <param name="Action">What to send.</param>
/// <param name="AudioFrame">The index of the speech frame to send (20 ms frames of the WAV) when <see cref="CallerAction.Speech"/>.</param>
public readonly record struct CallerStep(CallerAction Action, int AudioFrame = -1);

/// <summary>
/// The caller of a conversation (<see cref="ConversationSettings"/>), one decision per 20 ms tick: wait for the
/// greeting, speak the WAV, listen until the reply has finished (no agent speech for the reply-quiet time) or the
/// reply timeout passes, pause, speak again; hang up after the last cycle. Turn starts and ends, and turns given up,
/// go to the <see cref="ConversationTimeline"/>, which also tells it when the agent last spoke. Pure: timestamps come in.
/// </summary>
/// <remarks>Called by the pacer thread only.</remarks>
public sealed class ConversationScript
{
    private enum Phase
    {
        Greeting,
        Speaking,
        Listening,
        Pausing,
        Done,
    }

    private readonly ConversationSettings _settings;
    private readonly ConversationTimeline _timeline;
    private readonly int _speechFrames;
    private readonly int _speechEndFrame;
    private readonly long _leading;
    private readonly long _greetingWait;
    private readonly long _replyTimeout;
    private readonly long _replyQuiet;
    private readonly long _pause;
    private readonly long _maxListen;
    private readonly long? _duration;

    private Phase _phase = Phase.Greeting;
    private long _startedAt;
    private long _phaseStartedAt;
    private long _speechEndedAt;
    private int _frame;
    private int _turns;

    /// <param name="settings">How the caller talks.</param>
    /// <param name="speechFrames">20 ms frames in the caller's speech (the WAV, last frame padded).</param>
    /// <param name="lastSpeechFrame">The last of them with speech in it: the turn ends on the tick after it.</param>
    /// <param name="leadingSilence">The least wait before the first turn.</param>
    /// <param name="timeline">Where turns are recorded and agent speech is read.</param>
    /// <param name="frequency">Ticks per second of the timestamps given to <see cref="Next"/>.</param>
    public ConversationScript(
        ConversationSettings settings, int speechFrames, int lastSpeechFrame, TimeSpan leadingSilence, ConversationTimeline timeline, long frequency)
    {
        settings.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(lastSpeechFrame, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(lastSpeechFrame, speechFrames);
        _settings = settings;
        _timeline = timeline;
        _speechFrames = speechFrames;
        _speechEndFrame = lastSpeechFrame + 1;
        long Ticks(TimeSpan span) => (long)(span.TotalSeconds * frequency);
        _leading = Ticks(leadingSilence);
        _greetingWait = Ticks(settings.GreetingWait);
        _replyTimeout = Ticks(settings.ReplyTimeout);
        _replyQuiet = Ticks(settings.ReplyQuiet);
        _pause = Ticks(settings.Pause);
        _maxListen = Ticks(settings.MaxListen);
        _duration = settings.Duration is { } duration ? Ticks(duration) : null;
    }

    /// <summary>Turns begun so far.</summary>
    public int Turns => _turns;

    /// <summary>What to send on the tick at <paramref name="now"/> (timestamps must be positive and not decrease).</summary>
    public CallerStep Next(long now)
    {
        if (_startedAt == 0)
        {
            _startedAt = now;
            _phaseStartedAt = now;
        }

        switch (_phase)
        {
            case Phase.Greeting when GreetingHeard(now):
            case Phase.Pausing when now - _phaseStartedAt >= _pause:
                return BeginTurn(now);
            case Phase.Speaking:
                return Speak(now);
            case Phase.Listening when ReplyOver(now):
                Enter(Phase.Pausing, now);
                return _pause == 0 ? BeginTurn(now) : new CallerStep(CallerAction.Silence);
            case Phase.Done:
                return new CallerStep(CallerAction.HangUp);
            default:
                return new CallerStep(CallerAction.Silence);
        }
    }

    private bool GreetingHeard(long now)
    {
        var waited = now - _phaseStartedAt;
        if (waited < _leading)
        {
            return false;
        }

        var lastSpeech = _timeline.LastAgentSpeechAt;
        return lastSpeech == 0 ? waited >= _greetingWait : now - lastSpeech >= _replyQuiet || waited >= _maxListen;
    }

    private bool ReplyOver(long now)
    {
        var listened = now - _phaseStartedAt;
        if (_timeline.LatestTurnAnswered)
        {
            return now - _timeline.LastAgentSpeechAt >= _replyQuiet || listened >= _maxListen;
        }

        if (listened >= _replyTimeout)
        {
            _timeline.TurnGivenUp();
            return true;
        }

        return false;
    }

    private CallerStep BeginTurn(long now)
    {
        var over = _settings.Stop.IsCancellationRequested
            || _turns >= (_settings.Cycles ?? int.MaxValue)
            || (_duration is { } duration && now - _startedAt >= duration);
        if (over)
        {
            Enter(Phase.Done, now);
            return new CallerStep(CallerAction.HangUp);
        }

        _turns++;
        _frame = 0;
        Enter(Phase.Speaking, now);
        _timeline.CallerTurnStarted(now);
        return Speak(now);
    }

    private CallerStep Speak(long now)
    {
        if (_frame == _speechEndFrame)
        {
            // The last speech frame went out one tick ago and has now played: the turn is over.
            _timeline.CallerTurnEnded(now);
            _speechEndedAt = now;
        }

        if (_frame < _speechFrames)
        {
            return new CallerStep(CallerAction.Speech, _frame++);
        }

        // The listening clock runs from the end of speech (the WAV's quiet last frames have played since).
        Enter(Phase.Listening, now);
        _phaseStartedAt = _speechEndedAt;
        return new CallerStep(CallerAction.Silence);
    }

    private void Enter(Phase phase, long now)
    {
        _phase = phase;
        _phaseStartedAt = now;
    }
}
