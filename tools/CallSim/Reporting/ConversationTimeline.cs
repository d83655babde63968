namespace AiAgent.CallSim.Reporting;

/// <summary>
/// Records a conversation's events as timestamps and turns them into a <see cref="ConversationSummary"/>: caller
/// turns (from the pacer), agent frames (from the receive loop), and the turns the caller gave up on. Pure: any
/// monotonic clock, given its frequency (tests use microseconds).
/// </summary>
/// <remarks>
/// Two threads feed it (pacer and receive loop), at 50 events per second per call at most, so one lock is enough.
/// </remarks>
public sealed class ConversationTimeline
{
    private readonly object _lock = new();
    private readonly long _frequency;
    private readonly List<Cycle> _cycles = [];
    private readonly List<(long From, long To)> _waits = [];
    private readonly List<(long At, long Gap)> _gapsOverLimit = [];
    private readonly List<double> _replyGapsMs = [];

    private long _owedSince;
    private long _lastFrameAt;
    private bool _turnStartedSinceLastFrame; // or ended: a playout gap never spans a caller turn's edge
    private long _lastSpeechAt;
    private long _maxPlayoutGap = -1;
    private long _maxPlayoutGapAt;
    private int _playoutGapsOverLimit;
    private bool _agentSpeakingSinceTurnEdge; // a reply (or greeting) is under way: its gaps are the agent's own
    private int _lateFrames;

    /// <param name="frequency">Ticks per second of the timestamps given to every member.</param>
    public ConversationTimeline(long frequency)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(frequency, 1);
        _frequency = frequency;
    }

    /// <summary>
    /// A frame that arrives more than this long after the previous one inside a reply is late: the caller's jitter
    /// buffer (Asterisk plays what comes, 20 ms a frame) has run dry for at least one frame.
    /// </summary>
    public const double LateFrameGapMs = 40;

    /// <summary>
    /// Frames that arrived more than <see cref="LateFrameGapMs"/> after the previous frame inside a reply: after the
    /// agent's first speech since the caller's last turn edge, with no turn edge between (pauses between turns never count).
    /// </summary>
    public int LateFrames
    {
        get
        {
            lock (_lock)
            {
                return _lateFrames;
            }
        }
    }

    /// <summary>Every gap inside a reply (as <see cref="LateFrames"/> counts them), in ms, in arrival order.</summary>
    public double[] ReplyGapsMs()
    {
        lock (_lock)
        {
            return [.. _replyGapsMs];
        }
    }

    /// <summary>The last agent speech frame's arrival; 0 before the agent has spoken.</summary>
    public long LastAgentSpeechAt
    {
        get
        {
            lock (_lock)
            {
                return _lastSpeechAt;
            }
        }
    }

    /// <summary>The latest turn has ended and agent speech has come since.</summary>
    public bool LatestTurnAnswered
    {
        get
        {
            lock (_lock)
            {
                return _cycles.Count > 0 && _cycles[^1].ReplyAt != 0;
            }
        }
    }

    /// <summary>The caller began a turn (its first frame went out).</summary>
    public void CallerTurnStarted(long at)
    {
        lock (_lock)
        {
            _cycles.Add(new Cycle { StartAt = at });
            _turnStartedSinceLastFrame = true;
            _agentSpeakingSinceTurnEdge = false;
        }
    }

    /// <summary>The caller's speech ended: an answer is owed from now (unless an earlier turn is still owed one).</summary>
    public void CallerTurnEnded(long at)
    {
        lock (_lock)
        {
            if (_cycles.Count == 0 || _cycles[^1].SpeechEndAt != 0)
            {
                throw new InvalidOperationException("a turn ended that had not started");
            }

            _cycles[^1].SpeechEndAt = at;
            _turnStartedSinceLastFrame = true;
            _agentSpeakingSinceTurnEdge = false;
            if (_owedSince == 0)
            {
                _owedSince = at;
            }
        }
    }

    /// <summary>The caller waited the reply timeout in vain and goes on: the turn is unanswered (the wait stays open).</summary>
    public void TurnGivenUp()
    {
        lock (_lock)
        {
            if (_cycles.Count > 0 && _cycles[^1].ReplyAt == 0)
            {
                _cycles[^1].GivenUp = true;
            }
        }
    }

    /// <summary>An audio frame from the server arrived; <paramref name="speech"/> when it is not silence.</summary>
    public void AgentFrame(long at, bool speech)
    {
        lock (_lock)
        {
            if (_lastFrameAt != 0 && !_turnStartedSinceLastFrame)
            {
                var gap = at - _lastFrameAt;
                if (_cycles.Count > 0 && _cycles[^1] is { ReplyAt: not 0 } current && _lastFrameAt >= current.ReplyAt && gap > current.MaxReplyGap)
                {
                    current.MaxReplyGap = gap;
                }

                if (_agentSpeakingSinceTurnEdge)
                {
                    var gapMs = gap * 1000.0 / _frequency;
                    _replyGapsMs.Add(gapMs);
                    if (gapMs > LateFrameGapMs)
                    {
                        _lateFrames++;
                    }
                }

                if (gap > _maxPlayoutGap)
                {
                    _maxPlayoutGap = gap;
                    _maxPlayoutGapAt = at;
                }

                if (gap * 1000.0 / _frequency > ConversationSummary.PlayoutGapLimitMs)
                {
                    _playoutGapsOverLimit++;
                    if (_gapsOverLimit.Count < ConversationSummary.MaxListedGaps)
                    {
                        _gapsOverLimit.Add((at, gap));
                    }
                }
            }

            _lastFrameAt = at;
            _turnStartedSinceLastFrame = false;
            if (!speech)
            {
                return;
            }

            _lastSpeechAt = at;
            _agentSpeakingSinceTurnEdge = true;
            if (_owedSince != 0 && at >= _owedSince)
            {
                _waits.Add((_owedSince, at));
                _owedSince = 0;
            }

            if (_cycles.Count > 0 && _cycles[^1] is { SpeechEndAt: not 0, ReplyAt: 0, GivenUp: false } latest && at >= latest.SpeechEndAt)
            {
                latest.ReplyAt = at;
            }
        }
    }

    /// <summary>
    /// The summary, times in ms from <paramref name="origin"/> (the connect). <paramref name="end"/> closes a wait still
    /// open; <paramref name="earlyEnd"/> says why the call ended before its plan (null when we hung up as planned).
    /// </summary>
    public ConversationSummary Summarize(long origin, long end, string? earlyEnd)
    {
        lock (_lock)
        {
            double Ms(long at) => (at - origin) * 1000.0 / _frequency;
            double Span(long ticks) => ticks * 1000.0 / _frequency;

            var waits = _waits.Select(w => new AnswerWait(Ms(w.From), Ms(w.To), Answered: true)).ToList();
            if (_owedSince != 0)
            {
                waits.Add(new AnswerWait(Ms(_owedSince), Ms(Math.Max(end, _owedSince)), Answered: false));
            }

            var cycles = new CycleSummary[_cycles.Count];
            var latencies = new List<double>(cycles.Length);
            int answered = 0, unanswered = 0;
            string? givenUp = null;
            for (var i = 0; i < cycles.Length; i++)
            {
                var c = _cycles[i];
                double? reply = c.ReplyAt == 0 ? null : Span(c.ReplyAt - c.SpeechEndAt);
                cycles[i] = new CycleSummary(i + 1, Ms(c.StartAt), c.SpeechEndAt == 0 ? null : Ms(c.SpeechEndAt), reply, c.GivenUp,
                    c.MaxReplyGap < 0 ? null : Span(c.MaxReplyGap));
                if (reply is { } latency)
                {
                    latencies.Add(latency);
                    answered++;
                }
                else if (c.SpeechEndAt != 0)
                {
                    unanswered++;
                }

                if (c.GivenUp && givenUp is null)
                {
                    givenUp = $"turn {i + 1} unanswered within the reply timeout";
                }
            }

            var reason = earlyEnd is null ? givenUp : $"ended before its planned end: {earlyEnd}";
            return new ConversationSummary
            {
                Cycles = cycles,
                Answered = answered,
                Unanswered = unanswered,
                ReplyLatency = TimingStats.FromValues(latencies.ToArray()),
                Waits = waits,
                LongestWaitMs = waits.Count == 0 ? null : waits.Max(static w => w.DurationMs),
                MaxPlayoutGapMs = _maxPlayoutGap < 0 ? null : Span(_maxPlayoutGap),
                MaxPlayoutGapAtMs = _maxPlayoutGap < 0 ? null : Ms(_maxPlayoutGapAt),
                PlayoutGapsOverLimit = _playoutGapsOverLimit,
                GapsOverLimit = _gapsOverLimit.Select(g => new PlayoutGap(Ms(g.At), Span(g.Gap))).ToArray(),
                Dropped = reason is not null,
                DropReason = reason,
            };
        }
    }

    private sealed class Cycle
    {
        public long StartAt;
        public long SpeechEndAt;
        public long ReplyAt;
        public bool GivenUp;
        public long MaxReplyGap = -1;
    }
}
