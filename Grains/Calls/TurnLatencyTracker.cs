using System.Diagnostics;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Measures how long the caller waits: the greeting latency (call start to its first frame played) and each turn's
/// response latency (end of caller speech to the first frame of the answer played), as metrics, a <c>turn</c> trace
/// under the call's and the list the call snapshot shows.
/// </summary>
internal sealed class TurnLatencyTracker(CallContext call, DateTime callStartedUtc, Activity? callActivity)
{
    /// <summary>The snapshot keeps this many latencies at most.</summary>
    public const int LatencyLimit = 200;

    private readonly List<double> _latenciesMs = [];
    private DateTime? _turnEndedAtUtc;
    private bool _greetingMeasured;
    private int _turns;
    private Activity? _turn;

    /// <summary>Turn latencies in milliseconds (0.1 ms), oldest first.</summary>
    public IReadOnlyList<double> LatenciesMs => _latenciesMs;

    /// <summary>The caller stopped speaking at <paramref name="atUtc"/>: a turn starts waiting for its answer.</summary>
    public void OnCallerTurnEnded(DateTime atUtc)
    {
        _turnEndedAtUtc = atUtc;
        CallTracing.Stop(_turn, "superseded");
        _turn = CallTracing.StartTurn(callActivity, ++_turns, atUtc);
    }

    /// <summary>The gateway played the first frame of <paramref name="utterance"/> at <paramref name="playoutStartedUtc"/>.</summary>
    public void OnPlayoutStarted(PlayoutUtterance utterance, DateTime playoutStartedUtc)
    {
        if (utterance.IsGreeting && !_greetingMeasured)
        {
            _greetingMeasured = true;
            call.Metrics.GreetingLatency(call.Provider, playoutStartedUtc - callStartedUtc);
            return;
        }

        // Only an utterance whose audio came after the turn ended answers it (not the tail of an earlier one).
        if (_turnEndedAtUtc is { } turnEnded && utterance.FirstAudioUtc >= turnEnded)
        {
            var latency = playoutStartedUtc - turnEnded;
            _turnEndedAtUtc = null;
            call.Metrics.TurnResponse(call.Provider, latency);
            CallTracing.Stop(_turn, "answered", playoutStartedUtc);
            _turn = null;
            if (_latenciesMs.Count < LatencyLimit)
            {
                _latenciesMs.Add(Math.Round(latency.TotalMilliseconds, 1));
            }

            CallLog.TurnLatency(call.Logger, call.CallId, call.Provider, latency.TotalMilliseconds);
        }
    }

    /// <summary>The call ended: a turn still waiting ends unanswered.</summary>
    public void OnCallEnded()
    {
        CallTracing.Stop(_turn, "call_ended");
        _turn = null;
    }
}
