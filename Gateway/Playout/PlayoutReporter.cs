using System.Threading.Channels;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Gateway.Playout;

/// <summary>
/// Turns what the pacer played into <see cref="PlayoutReport"/>s for the grain, and measures the latency the
/// platform added before each utterance's first frame. Written under the call's lock on the pacer and
/// Orleans threads; read by the connection (never sent to the grain from the pacer thread).
/// </summary>
internal sealed class PlayoutReporter(TimeProvider time, AudioFormat format, TimeSpan framePeriod)
{
    private readonly Channel<PlayoutReport> _reports = Channel.CreateUnbounded<PlayoutReport>(new UnboundedChannelOptions { SingleReader = true });
    private DateTime _nextUtteranceDueUtc;

    /// <summary>The reports, in the order they happened; completes when the call closes.</summary>
    public ChannelReader<PlayoutReport> Reports => _reports.Reader;

    /// <summary>Reports what cutting one frame did: an utterance's start and/or completion.</summary>
    public void OnFrameCut(in CutFrame cut)
    {
        if (cut.Started)
        {
            // Platform-added latency counts from when the audio could have started: when it arrived, or, if it
            // queued behind an earlier utterance, at the tick after that one's last frame (waiting for it is
            // playout, and so is the frame period: back to back, the new utterance plays without a gap).
            var now = time.GetUtcNow().UtcDateTime;
            var ready = cut.ProviderReceivedAtUtc > _nextUtteranceDueUtc ? cut.ProviderReceivedAtUtc : _nextUtteranceDueUtc;
            var latency = now - ready;
            Write(cut.UtteranceId, PlayoutEvent.Started, cut.PlayedBytes, latency < TimeSpan.Zero ? TimeSpan.Zero : latency, now);
        }

        if (cut.Completed)
        {
            var now = time.GetUtcNow().UtcDateTime;
            _nextUtteranceDueUtc = now + framePeriod;
            Write(cut.UtteranceId, PlayoutEvent.Completed, cut.PlayedBytes, TimeSpan.Zero, now);
        }
    }

    /// <summary>An utterance whose last frame was already out has been marked done by the provider.</summary>
    public void Completed(int utteranceId, long playedBytes) =>
        Write(utteranceId, PlayoutEvent.Completed, playedBytes, TimeSpan.Zero, time.GetUtcNow().UtcDateTime);

    /// <summary>Barge-in dropped the rest of an utterance after <paramref name="playedBytes"/>.</summary>
    public void Flushed(int utteranceId, long playedBytes) =>
        Write(utteranceId, PlayoutEvent.Flushed, playedBytes, TimeSpan.Zero, time.GetUtcNow().UtcDateTime);

    /// <summary>No more reports: the call is closing.</summary>
    public void Complete() => _reports.Writer.TryComplete();

    private void Write(int utteranceId, PlayoutEvent playoutEvent, long playedBytes, TimeSpan latency, DateTime atUtc) =>
        _reports.Writer.TryWrite(new PlayoutReport(utteranceId, playoutEvent, format.MillisecondsOf(playedBytes), atUtc, latency));
}
