using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Providers.Transport;

/// <summary>
/// The one estimate of when agent audio has finished playing to the caller, for a provider's "quiet moment"
/// (a rollover must not cut an answer the caller is still hearing). The gateway's playout reports, forwarded by the
/// grain through <see cref="IAgentSession.OnPlayoutReportAsync"/>, decide it: an utterance whose playout started
/// plays until its <see cref="PlayoutEvent.Completed"/> or <see cref="PlayoutEvent.Flushed"/> report. Until the first
/// report of an utterance arrives (or when nobody reports, as in a provider test), its audio is assumed to play in real
/// time from when it arrived.
/// </summary>
/// <remarks>Thread-safe: audio arrives on the receive loop, reports on the grain's calls, queries on the planner.</remarks>
internal sealed class AgentPlayout(TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _estimatedEnd;
    private int _latestUtterance;
    private int _reportedPlaying;

    /// <summary>
    /// Agent audio of <paramref name="utteranceId"/> arrived: it plays after whatever is still playing. Returns when
    /// it will have played (a <see cref="TimeProvider"/> timestamp), e.g. for a transcript shown once heard.
    /// </summary>
    public long OnAudio(int utteranceId, AudioFormat format, int bytes)
    {
        var duration = (long)(format.DurationOf(bytes).TotalSeconds * time.TimestampFrequency);
        lock (_gate)
        {
            var now = time.GetTimestamp();
            _estimatedEnd = Math.Max(now, _estimatedEnd) + duration;
            _latestUtterance = utteranceId;
            return _estimatedEnd;
        }
    }

    /// <summary>A playout report from the gateway (through the grain).</summary>
    public void OnReport(PlayoutReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        lock (_gate)
        {
            switch (report.Event)
            {
                case PlayoutEvent.Started:
                    _reportedPlaying = report.UtteranceId;
                    break;
                case PlayoutEvent.Completed or PlayoutEvent.Flushed:
                    if (_reportedPlaying == report.UtteranceId)
                    {
                        _reportedPlaying = 0;
                    }

                    if (report.UtteranceId == _latestUtterance)
                    {
                        // The last utterance received has played out: nothing is left to hear.
                        _estimatedEnd = 0;
                    }

                    break;
            }
        }
    }

    /// <summary>The caller barged in: the gateway stops playout, so nothing of the old answer is still playing.</summary>
    public void Interrupted()
    {
        lock (_gate)
        {
            _estimatedEnd = 0;
            _reportedPlaying = 0;
        }
    }

    /// <summary>True while agent audio is (or is estimated to be) playing to the caller.</summary>
    public bool IsPlaying
    {
        get
        {
            lock (_gate)
            {
                return _reportedPlaying != 0 || time.GetTimestamp() < _estimatedEnd;
            }
        }
    }
}
