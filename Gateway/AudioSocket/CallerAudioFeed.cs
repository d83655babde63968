using AiAgent.Gateway.Diagnostics;
using AiAgent.Gateway.Playout;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Logging;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// The caller's audio as the grain receives it: real frames from the connection's read loop and, across a gap
/// in the caller's media, silence on the pacer's clock (<see cref="CallerGapFillPolicy"/>), numbered in one
/// sequence so the grain, its provider and VAD see continuous time. Real frames go
/// <c>audiosocket.caller_frames_per_message</c> to a message (<see cref="CallerFrameBatch"/>). Registered with the
/// shared <see cref="PlayoutPacer"/> only when it fills gaps or batches frames (<see cref="NeedsTicks"/>): no timer of its own.
/// </summary>
/// <remarks>
/// Fill frames do not touch the call's idle monitor or keepalive (<see cref="PlayoutCall.OnCallerAudio"/> is
/// only told about real frames): the idle timeout stays about the caller's real media. When the call moves to another
/// activation (<see cref="Retarget"/>) the numbering starts again at 0 and the caller's unanswered audio
/// (<see cref="CallerAudioReplay"/>) goes to it first.
/// </remarks>
internal sealed partial class CallerAudioFeed : IPacedCall
{
    private readonly Lock _lock = new();
    private readonly CallerAudioReplay _replay;
    private readonly CallerFrameBatch _batch;
    private readonly long _maxHoldTicks;
    private ICallGrain _grain;
    private int _attachment;
    private readonly PlayoutCall _call;
    private readonly TimeProvider _time;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;
    private readonly CallerGapFillPolicy _policy;
    private readonly AudioFormat _format;
    private readonly ReadOnlyMemory<byte> _silence;
    private long _sequence;
    private long _filledFrames;
    private long _gaps;

    /// <param name="grain">The call's grain (the activation the gateway follows now).</param>
    /// <param name="attachment">This connection's attachment to it (stamped on every message).</param>
    /// <param name="call">The call's playout (its end signal stops the fill).</param>
    /// <param name="fillThreshold">How late the caller's next frame may be before silence is supplied; zero turns the fill off.</param>
    /// <param name="framePeriod">The call's frame period: the duration of one fill frame.</param>
    /// <param name="framesPerMessage">Real frames per grain message (1: each frame at once).</param>
    /// <param name="replayLimit">How much unanswered caller audio is kept for a restored activation.</param>
    /// <param name="time">The pacer's clock.</param>
    /// <param name="metrics">The gateway's metrics.</param>
    /// <param name="logger">The log.</param>
    public CallerAudioFeed(
        ICallGrain grain, int attachment, PlayoutCall call, TimeSpan fillThreshold, TimeSpan framePeriod, int framesPerMessage, TimeSpan replayLimit,
        TimeProvider time, GatewayMetrics metrics, ILogger logger)
    {
        _grain = grain;
        _attachment = attachment;
        _call = call;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _format = call.CallerFormat;
        _silence = SilenceFrames.Get(_format.Encoding, _format.BytesFor(framePeriod));
        _policy = new CallerGapFillPolicy(time.GetTimestamp(), ToTicks(fillThreshold), ToTicks(framePeriod));
        _replay = new CallerAudioReplay(_format.BytesFor(replayLimit));
        _batch = new CallerFrameBatch(framesPerMessage, _format.BytesFor(framePeriod));

        // A batch that has not filled by the time its last frame was due (the caller's media paused) goes out as it is.
        _maxHoldTicks = framesPerMessage > 1 ? ToTicks(framePeriod * framesPerMessage) : 0;
    }

    /// <summary>True when the feed needs the pacer's tick: gaps are filled (<c>audiosocket.caller_gap_fill_ms</c>) or frames batched.</summary>
    public bool NeedsTicks => _policy.Enabled || _maxHoldTicks > 0;

    /// <summary>Silence frames supplied in this call.</summary>
    public long FilledFrames => Interlocked.Read(ref _filledFrames);

    /// <summary>Gaps filled in this call.</summary>
    public long Gaps => Interlocked.Read(ref _gaps);

    /// <summary>Relays a real caller frame (from the read loop; copied before it returns).</summary>
    public void Push(ReadOnlySpan<byte> audio)
    {
        bool gapEnded;
        CallerAudio? displaced, message;
        ICallGrain grain;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            gapEnded = _policy.OnCallerFrame(now, ToTicks(_format.DurationOf(audio.Length)));
            _replay.Add(audio);
            var completed = _batch.Add(audio, now, out var earlier);
            displaced = Number(earlier);
            message = Number(completed);
            grain = _grain;
        }

        if (gapEnded)
        {
            LogGapEnded(_call.CallId, FilledFrames);
        }

        Send(grain, displaced);
        Send(grain, message);
    }

    /// <summary>Sends the frames held for a batch now (before DTMF, and when the caller's side ends).</summary>
    public void Flush()
    {
        CallerAudio? held;
        ICallGrain grain;
        lock (_lock)
        {
            held = Number(_batch.Take());
            grain = _grain;
        }

        Send(grain, held);
    }

    /// <summary>Agent audio arrived: the caller's audio so far has been answered.</summary>
    public void OnAgentAudio()
    {
        lock (_lock)
        {
            _replay.Clear();
        }
    }

    /// <summary>
    /// The call moved to <paramref name="grain"/> (a restored activation, or the same one re-attached): numbering starts
    /// at 0 and the caller's audio since the agent last answered goes to it first, so the turn the lost activation never
    /// answered is heard.
    /// </summary>
    /// <returns>The milliseconds of caller audio replayed.</returns>
    public long Retarget(ICallGrain grain, int attachment, bool replay)
    {
        ReadOnlyMemory<byte>[] frames;
        lock (_lock)
        {
            _grain = grain;
            _attachment = attachment;
            frames = replay ? _replay.Frames() : [];
            _sequence = frames.Length;
            _batch.Discard(); // in the replay: the frames a batch holds were copied there as they came
        }

        var bytes = 0L;
        for (var i = 0; i < frames.Length; i++)
        {
            bytes += frames[i].Length;
            Send(grain, new CallerAudio(i, frames[i]) { Attachment = attachment });
        }

        return _format.MillisecondsOf(bytes);
    }

    /// <inheritdoc/>
    public void OnTick(long deadline)
    {
        GapFillDecision decision;
        CallerAudio? held;
        long first;
        ICallGrain grain;
        int attachment;
        lock (_lock)
        {
            var now = _time.GetTimestamp();
            decision = _policy.OnTick(now, ending: _call.EndReason is not null);

            // Held frames go before any fill; otherwise only once their batch is overdue.
            held = Number(decision.Frames > 0 ? _batch.Take() : _batch.TakeIfHeldSince(now - _maxHoldTicks));
            first = _sequence;
            _sequence += decision.Frames;
            for (var i = 0; i < decision.Frames; i++)
            {
                _replay.Add(_silence.Span);
            }

            grain = _grain;
            attachment = _attachment;
        }

        Send(grain, held);
        if (decision.Frames == 0)
        {
            return;
        }

        if (decision.GapStarted)
        {
            Interlocked.Increment(ref _gaps);
            _metrics.CallerGap(_call.ProviderTag);
            LogGapStarted(_call.CallId);
        }

        Interlocked.Add(ref _filledFrames, decision.Frames);
        _metrics.CallerGapFillFrames(decision.Frames, _call.ProviderTag);
        for (var i = 0; i < decision.Frames; i++)
        {
            Send(grain, new CallerAudio(first + i, _silence) { Attachment = attachment });
        }
    }

    /// <summary>A message of <paramref name="audio"/> with the next sequence number (null when empty). Called under the lock.</summary>
    private CallerAudio? Number(ReadOnlyMemory<byte> audio) =>
        audio.IsEmpty ? null : new CallerAudio(_sequence++, audio) { Attachment = _attachment };

    private void Send(ICallGrain grain, CallerAudio? audio)
    {
        if (audio is null)
        {
            return;
        }

        try
        {
            var push = grain.PushCallerAudioAsync(audio);
            if (!push.IsCompletedSuccessfully)
            {
                _ = ObserveAsync(push);
            }
        }
        catch (Exception ex)
        {
            LogRelayFailed(ex);
        }
    }

    private async Task ObserveAsync(Task push)
    {
        try
        {
            await push;
        }
        catch (Exception ex)
        {
            LogRelayFailed(ex);
        }
    }

    /// <summary>Logs what the fill did in this call, once at its end (nothing when no gap was filled).</summary>
    public void LogSummary()
    {
        if (Gaps > 0)
        {
            LogFillSummary(_call.CallId, Gaps, FilledFrames);
        }
    }

    private long ToTicks(TimeSpan duration) => (long)(duration.TotalSeconds * _time.TimestampFrequency);

    [LoggerMessage(EventId = 2350, Level = LogLevel.Debug, Message = "Call {CallId}: no caller frame: supplying silence on the clock (audiosocket.caller_gap_fill_ms)")]
    private partial void LogGapStarted(Guid callId);

    [LoggerMessage(EventId = 2351, Level = LogLevel.Debug, Message = "Call {CallId}: caller frames flow again ({FilledFrames} silence frames supplied in this call)")]
    private partial void LogGapEnded(Guid callId, long filledFrames);

    [LoggerMessage(EventId = 2353, Level = LogLevel.Information, Message = "Call {CallId}: the caller's media stopped {Gaps} times; {FilledFrames} silence frames were supplied (audiosocket.caller_gap_fill_ms)")]
    private partial void LogFillSummary(Guid callId, long gaps, long filledFrames);

    [LoggerMessage(EventId = 2352, Level = LogLevel.Warning, Message = "Relaying to the call grain failed")]
    private partial void LogRelayFailed(Exception ex);
}
