using System.Diagnostics;
using System.IO.Pipelines;
using System.Threading.Channels;
using AiAgent.Gateway.Audio;
using AiAgent.Gateway.AudioSocket;
using AiAgent.Gateway.Configuration;
using AiAgent.Gateway.Diagnostics;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Logging;
using Orleans.Streams;

namespace AiAgent.Gateway.Playout;

/// <summary>
/// The media side of one AudioSocket call: its playout queue, fed by the call's agent stream, and what the
/// pacer writes to the socket each tick (agent frames, keepalive silence), plus the idle timer.
/// </summary>
/// <remarks>
/// Threads: stream events arrive on Orleans' threads, ticks on the pacer thread, inbound activity from the
/// connection's read loop. One lock guards the queue and the socket writer; nothing under it blocks (a flush
/// still pending from the last tick makes this tick skip its frame instead of waiting). Its log messages carry
/// the call id themselves: they are written from the pacer and Orleans threads, outside the connection's scope.
/// </remarks>
internal sealed partial class PlayoutCall : IPacedCall, IAsyncObserver<AgentStreamEvent>
{
    private static readonly long s_lateThreshold = 5 * Stopwatch.Frequency / 1000;

    private readonly Lock _lock = new();
    private readonly PipeWriter _output;
    private readonly PipeReader _input;
    private readonly PlayoutQueue _queue;
    private readonly GatewayMetrics _metrics;
    private KeyValuePair<string, object?> _providerTag = GatewayMetrics.ProviderTag("unknown");
    private DateTime _nextUtteranceDueUtc;
    private readonly TimeSpan _framePeriod;
    private readonly ILogger _logger;
    private readonly Channel<PlayoutReport> _reports = Channel.CreateUnbounded<PlayoutReport>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _leadFrames;
    private readonly long _keepaliveTicks;
    private readonly long _idleTicks;
    private readonly long _graceTicks;
    private readonly double _speechRms;
    private readonly byte _silenceByte;

    private readonly AudioSocketKind _outboundKind;
    private AudioSocketKind? _inboundLabel;
    private ValueTask<FlushResult> _pendingFlush;
    private bool _flushPending;
    private bool _closed;
    private bool _playing;
    private bool _idleWarned;
    private long _lastOutbound;
    private long _lastAgentFrame;
    private long _lastInbound;
    private long _lastCallerVoice;
    private long _lastSequence = long.MinValue;
    private long _lastPlayedBytes;
    private int _endRequested;
    private bool _labelMismatchLogged;
    private int _drainTicksLeft = -1;

    /// <summary>The call's <c>provider</c> metrics tag (known once the grain has started the call).</summary>
    public KeyValuePair<string, object?> ProviderTag => _providerTag;

    /// <summary>Labels this call's metrics with the provider the grain chose.</summary>
    public void SetProvider(string provider) => _providerTag = GatewayMetrics.ProviderTag(provider);

    /// <param name="callId">The AudioSocket call id.</param>
    /// <param name="callerFormat">What the caller's frames carry.</param>
    /// <param name="playoutFormat">What we send back: always slin, at the rate its label (0x10-0x18) names.</param>
    /// <param name="inboundLabel">The label Asterisk's first audio frame carried, if one came before the start.</param>
    /// <param name="output">The socket's writer.</param>
    /// <param name="input">The socket's reader (its pending read is cancelled to end the call).</param>
    /// <param name="options">The audiosocket options.</param>
    /// <param name="metrics">The gateway's metrics.</param>
    /// <param name="logger">The log.</param>
    public PlayoutCall(
        Guid callId, AudioFormat callerFormat, AudioFormat playoutFormat, AudioSocketKind? inboundLabel, PipeWriter output, PipeReader input,
        AudioSocketOptions options, GatewayMetrics metrics, ILogger logger)
    {
        if (playoutFormat.Encoding != AudioEncoding.Pcm16)
        {
            throw new ArgumentException($"Asterisk reads only slin from AudioSocket, not {playoutFormat}", nameof(playoutFormat));
        }

        CallId = callId;
        CallerFormat = callerFormat;
        Format = playoutFormat;
        _outboundKind = AudioSocketKinds.KindOf(playoutFormat);
        _inboundLabel = inboundLabel;
        _output = output;
        _input = input;
        _metrics = metrics;
        _logger = logger;
        var frameDuration = TimeSpan.FromMilliseconds(options.FrameMs);
        _framePeriod = frameDuration;
        FrameBytes = playoutFormat.BytesFor(frameDuration);
        _silenceByte = SignalLevel.SilenceByte(playoutFormat.Encoding);
        _queue = new PlayoutQueue(FrameBytes, (long)playoutFormat.BytesPerSecond * options.MaxQueueSeconds / FrameBytes * FrameBytes, _silenceByte);
        _leadFrames = options.PlayoutLeadMs / options.FrameMs;
        _keepaliveTicks = options.KeepaliveMs * Stopwatch.Frequency / 1000;
        _idleTicks = options.IdleTimeoutSeconds * Stopwatch.Frequency;
        _graceTicks = options.IdleGraceSeconds * Stopwatch.Frequency;
        _speechRms = SignalLevel.RmsOf(options.IdleSpeechThresholdDbfs);
        var now = Stopwatch.GetTimestamp();
        _lastOutbound = now;
        _lastInbound = now;
        _lastCallerVoice = now;
        _lastAgentFrame = now;
    }

    public Guid CallId { get; }

    /// <summary>What the caller's frames carry (the format the grain receives).</summary>
    public AudioFormat CallerFormat { get; }

    /// <summary>What Asterisk gets back: the format agent audio is published and played in.</summary>
    public AudioFormat Format { get; }

    /// <summary>Bytes of one outbound frame.</summary>
    public int FrameBytes { get; }

    /// <summary>Why the call is ending, once someone asked it to end.</summary>
    public CallEndReason? EndReason { get; private set; }

    /// <summary>True when the end was asked for by the platform (a <see cref="CallEnding"/> event), so the grain already knows.</summary>
    public bool EndedByPlatform { get; private set; }

    /// <summary>Playout reports for the grain, read by the connection (never sent from the pacer thread).</summary>
    public ChannelReader<PlayoutReport> Reports => _reports.Reader;

    // ---- inbound side (connection read loop) ------------------------------------------------------

    /// <summary>Notes an inbound audio frame: keeps the line alive and, when it is loud enough, the caller active.</summary>
    public void OnCallerAudio(ReadOnlySpan<byte> frame, AudioSocketKind label)
    {
        var now = Stopwatch.GetTimestamp();
        Volatile.Write(ref _lastInbound, now);
        if (SignalLevel.IsAbove(frame, CallerFormat.Encoding, _speechRms))
        {
            Volatile.Write(ref _lastCallerVoice, now);
        }

        _inboundLabel ??= label;
        if (label == _inboundLabel || _labelMismatchLogged)
        {
            return;
        }

        // The format was fixed when the call started (the grain converts to it); a label that changes later is
        // most likely an Asterisk older than 20.17 whose audio started after the probe window, which reads our
        // 0x11-0x18 frames as nothing. Say so once, loudly: audiosocket.format_probe_ms or format is the fix.
        _labelMismatchLogged = true;
        LogLabelMismatch(CallId, (byte)label, (byte)_inboundLabel.Value, CallerFormat.ToString(), (byte)_outboundKind);
    }

    /// <summary>Notes any other inbound frame (DTMF): the line is alive.</summary>
    public void OnInboundActivity() => Volatile.Write(ref _lastInbound, Stopwatch.GetTimestamp());

    /// <summary>
    /// Asks the connection to end the call (first reason wins) by cancelling its pending read.
    /// <paramref name="drain"/> waits until queued agent audio has been played.
    /// </summary>
    public void RequestEnd(CallEndReason reason, bool byPlatform = false, bool drain = false)
    {
        lock (_lock)
        {
            if (EndReason is not null)
            {
                return;
            }

            EndReason = reason;
            EndedByPlatform = byPlatform;
            if (drain)
            {
                // The pacer ends the call once the queue and the lead are played out (even when the queue is
                // already empty, its last frames went out ahead of real time); nothing more will complete a frame.
                _queue.FinishAll();
                return;
            }
        }

        SignalEnd();
    }

    /// <summary>Stops all writes from the pacer; returns a flush still in flight, to await before the last frame.</summary>
    public ValueTask<FlushResult>? Close()
    {
        lock (_lock)
        {
            _closed = true;
            _queue.Flush(int.MinValue);
            _reports.Writer.TryComplete();
            if (!_flushPending)
            {
                return null;
            }

            _flushPending = false;
            return _pendingFlush;
        }
    }

    // ---- agent stream (Orleans threads) -----------------------------------------------------------

    public Task OnNextAsync(AgentStreamEvent item, StreamSequenceToken? token = null)
    {
        if (!CheckSequence(item.Sequence))
        {
            return Task.CompletedTask;
        }

        switch (item)
        {
            case AgentAudioChunk chunk:
                long dropped;
                lock (_lock)
                {
                    dropped = _closed ? 0 : _queue.Enqueue(chunk.UtteranceId, chunk.Audio, chunk.ProviderReceivedAtUtc);
                    StartOnArrival();
                }

                if (dropped > 0)
                {
                    _metrics.DroppedFrames(dropped, _providerTag);
                    LogQueueFull(CallId, dropped);
                }

                break;
            case AgentUtteranceDone done:
                lock (_lock)
                {
                    if (!_closed && _queue.MarkDone(done.UtteranceId))
                    {
                        // Its last frame is already out: report completion now.
                        Report(done.UtteranceId, PlayoutEvent.Completed, _lastPlayedBytes, TimeSpan.Zero);
                    }
                }

                break;
            case FlushPlayout flush:
                lock (_lock)
                {
                    if (!_closed)
                    {
                        var played = _queue.Flush(flush.UtteranceId);
                        _playing = false;
                        Report(flush.UtteranceId, PlayoutEvent.Flushed, played, TimeSpan.Zero);
                        LogFlushed(CallId, flush.UtteranceId, Format.MillisecondsOf(played));
                    }
                }

                break;
            case CallEnding ending:
                LogCallEnding(CallId, ending.Reason, ending.DrainPlayout);
                RequestEnd(ending.Reason, byPlatform: true, drain: ending.DrainPlayout);
                break;
        }

        return Task.CompletedTask;
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(CallId, ex);
        return Task.CompletedTask;
    }

    // ---- pacer thread -----------------------------------------------------------------------------

    public void OnTick(long deadline)
    {
        var end = false;
        lock (_lock)
        {
            if (_closed || !TryCompletePendingFlush())
            {
                return;
            }

            var now = Stopwatch.GetTimestamp();
            var late = now - deadline > s_lateThreshold;
            var written = WriteAgentFrames(late);
            if (written == 0 && _keepaliveTicks > 0 && now - Math.Max(_lastOutbound, Volatile.Read(ref _lastInbound)) >= _keepaliveTicks)
            {
                // Neither side has sent anything for a while: Asterisk's app gives up after 2 s.
                var span = AudioSocketFrameWriter.ReserveAudio(_output, _outboundKind, FrameBytes);
                span.Fill(_silenceByte);
                _output.Advance(AudioSocketFrameReader.HeaderLength + FrameBytes);
                _metrics.KeepaliveFrame(_providerTag);
                written = 1;
            }

            if (written > 0)
            {
                _lastOutbound = now;
                StartFlush();
            }

            if (EndReason is not null)
            {
                end = DrainComplete();
            }
            else if (!_playing && _queue.IsEmpty)
            {
                end = CheckIdle(now);
            }
        }

        if (end)
        {
            SignalEnd();
        }
    }

    /// <summary>
    /// A draining end completes once the queue is played out and the lead written ahead of real time has had
    /// time to play: the hangup frame ends Asterisk's app at once, and the dialplan's next step would cut the tail.
    /// </summary>
    private bool DrainComplete()
    {
        if (!_queue.IsEmpty)
        {
            return false;
        }

        if (_drainTicksLeft < 0)
        {
            _drainTicksLeft = _leadFrames + 1;
        }

        return _drainTicksLeft-- == 0;
    }

    /// <summary>
    /// Starting from silence, audio goes out as it arrives rather than at the next tick (which would add 10 ms on
    /// average to every utterance's first frame): the lead now, then one frame per tick from the pacer, so
    /// Asterisk holds between 40 and 60 ms ahead, as on the grid. Called under the lock.
    /// </summary>
    private void StartOnArrival()
    {
        if (_playing || _closed || _queue.IsEmpty || !TryCompletePendingFlush())
        {
            return;
        }

        if (WriteAgentFrames(late: false, due: Math.Max(1, _leadFrames)) > 0)
        {
            _lastOutbound = Stopwatch.GetTimestamp();
            StartFlush();
        }
    }

    private int WriteAgentFrames(bool late, int? due = null)
    {
        if (_queue.IsEmpty)
        {
            if (_playing && _queue.IsMidUtterance)
            {
                _metrics.Underrun(_providerTag);
            }

            _playing = false;
            return 0;
        }

        // Starting from silence, write the lead at once so a late tick later does not starve the caller.
        due ??= _playing ? 1 : 1 + _leadFrames;
        var written = 0;
        while (written < due)
        {
            var span = AudioSocketFrameWriter.ReserveAudio(_output, _outboundKind, FrameBytes);
            if (!_queue.TryCut(span, out var cut))
            {
                // Reserved but not advanced: nothing is written.
                if (_playing && written == 0 && _queue.IsMidUtterance)
                {
                    _metrics.Underrun(_providerTag);
                }

                break;
            }

            _output.Advance(AudioSocketFrameReader.HeaderLength + FrameBytes);
            written++;
            _lastPlayedBytes = cut.PlayedBytes;
            if (cut.Started)
            {
                // Platform-added latency counts from when the audio could have started: when it arrived, or, if it
                // queued behind an earlier utterance, at the tick after that one's last frame (waiting for it is
                // playout, and so is the frame period: back to back, the new utterance plays without a gap).
                var now = DateTime.UtcNow;
                var ready = cut.ProviderReceivedAtUtc > _nextUtteranceDueUtc ? cut.ProviderReceivedAtUtc : _nextUtteranceDueUtc;
                var latency = now - ready;
                Report(cut.UtteranceId, PlayoutEvent.Started, cut.PlayedBytes, latency < TimeSpan.Zero ? TimeSpan.Zero : latency);
            }

            if (cut.Completed)
            {
                _nextUtteranceDueUtc = DateTime.UtcNow + _framePeriod;
                Report(cut.UtteranceId, PlayoutEvent.Completed, cut.PlayedBytes, TimeSpan.Zero);
            }
        }

        _playing = written > 0;
        if (written > 0)
        {
            _lastAgentFrame = Stopwatch.GetTimestamp();
            _metrics.FramesOut(written, _providerTag);
            if (late)
            {
                _metrics.LateFrames(written, _providerTag);
            }
        }

        return written;
    }

    private bool CheckIdle(long now)
    {
        var silentFor = now - Math.Max(Volatile.Read(ref _lastCallerVoice), _lastAgentFrame);
        if (silentFor < _idleTicks)
        {
            _idleWarned = false;
            return false;
        }

        if (!_idleWarned)
        {
            _idleWarned = true;
            LogIdle(CallId, _idleTicks / Stopwatch.Frequency, _graceTicks / Stopwatch.Frequency);
        }

        if (silentFor < _idleTicks + _graceTicks)
        {
            return false;
        }

        EndReason ??= CallEndReason.IdleTimeout;
        return true;
    }

    /// <summary>Settles the previous tick's flush; false while it is still in flight (this tick is skipped).</summary>
    private bool TryCompletePendingFlush()
    {
        if (!_flushPending)
        {
            return true;
        }

        if (!_pendingFlush.IsCompleted)
        {
            // A slow socket must not hold up the pacer: skip this call's frame and count it late.
            if (!_queue.IsEmpty)
            {
                _metrics.BackpressuredFrame(_providerTag);
            }

            return false;
        }

        _flushPending = false;
        return ObserveFlush(_pendingFlush);
    }

    private void StartFlush()
    {
        var flush = _output.FlushAsync();
        if (flush.IsCompleted)
        {
            ObserveFlush(flush);
        }
        else
        {
            _pendingFlush = flush;
            _flushPending = true;
        }
    }

    private bool ObserveFlush(ValueTask<FlushResult> flush)
    {
        try
        {
            var result = flush.GetAwaiter().GetResult();
            if (!result.IsCompleted && !result.IsCanceled)
            {
                return true;
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or OperationCanceledException)
        {
            // The transport is gone; the read loop sees it too.
        }

        // The peer stopped reading: nothing more can be played.
        _closed = true;
        EndReason ??= CallEndReason.CallerHangup;
        SignalEnd();
        return false;
    }

    private void Report(int utteranceId, PlayoutEvent playoutEvent, long playedBytes, TimeSpan latency) =>
        _reports.Writer.TryWrite(new PlayoutReport(utteranceId, playoutEvent, Format.MillisecondsOf(playedBytes), DateTime.UtcNow, latency));

    // Orleans delivers a subscription's events one at a time, so this needs no lock.
    private bool CheckSequence(long sequence)
    {
        var last = _lastSequence;
        if (last == long.MinValue || sequence == last + 1)
        {
            _lastSequence = sequence;
            return true;
        }

        if (sequence <= last)
        {
            // A duplicate or a late event: playing it now would put audio out of order.
            _metrics.StreamAnomaly("duplicate");
            LogSequenceAnomaly(CallId, sequence, last + 1);
            return false;
        }

        _metrics.StreamAnomaly("gap");
        LogSequenceAnomaly(CallId, sequence, last + 1);
        _lastSequence = sequence;
        return true;
    }

    private void SignalEnd()
    {
        if (Interlocked.Exchange(ref _endRequested, 1) == 0)
        {
            try
            {
                _input.CancelPendingRead();
            }
            catch (InvalidOperationException)
            {
                // The read loop has already finished and completed the reader.
            }
        }
    }

    /// <summary>True once <see cref="SignalEnd"/> ran: the read loop should stop.</summary>
    public bool IsEndSignalled => Volatile.Read(ref _endRequested) == 1;

    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning, Message = "Call {CallId}: playout queue full: dropped {Frames} oldest frames")]
    private partial void LogQueueFull(Guid callId, long frames);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Call {CallId}: barge-in: flushed playout of utterance {UtteranceId} after {PlayedMs} ms")]
    private partial void LogFlushed(Guid callId, int utteranceId, long playedMs);

    [LoggerMessage(EventId = 2202, Level = LogLevel.Information, Message = "Call {CallId}: platform ends the call ({Reason}, drain {Drain})")]
    private partial void LogCallEnding(Guid callId, CallEndReason reason, bool drain);

    [LoggerMessage(EventId = 2203, Level = LogLevel.Warning, Message = "Call {CallId}: agent stream error")]
    private partial void LogStreamError(Guid callId, Exception ex);

    [LoggerMessage(EventId = 2204, Level = LogLevel.Warning, Message = "Call {CallId}: agent stream event {Sequence} out of order (expected {Expected})")]
    private partial void LogSequenceAnomaly(Guid callId, long sequence, long expected);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Information, Message = "Call {CallId}: caller silent for {IdleSeconds} s; hanging up after {GraceSeconds} s more silence")]
    private partial void LogIdle(Guid callId, long idleSeconds, long graceSeconds);

    [LoggerMessage(EventId = 2206, Level = LogLevel.Error, Message = "Call {CallId}: Asterisk now labels audio 0x{Kind:X2}, not 0x{FirstKind:X2}; the call runs as {Format} with replies labelled 0x{OutboundKind:X2} (an Asterisk before 20.17 plays nothing but 0x10: raise audiosocket.format_probe_ms or set audiosocket.format)")]
    private partial void LogLabelMismatch(Guid callId, byte kind, byte firstKind, string format, byte outboundKind);
}
