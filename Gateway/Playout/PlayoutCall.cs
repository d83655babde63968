using System.IO.Pipelines;
using System.Threading.Channels;
using AiAgent.Gateway.Audio;
using AiAgent.Gateway.AudioSocket;
using AiAgent.Gateway.Configuration;
using AiAgent.Gateway.Diagnostics;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Logging;

namespace AiAgent.Gateway.Playout;

/// <summary>
/// The playout of one AudioSocket call: what the pacer writes to the socket each tick (agent frames cut from
/// the <see cref="PlayoutQueue"/>, else <see cref="LineKeepalive"/> silence) and when the call ends. The parts it
/// composes each do one job: <see cref="PlayoutSocket"/> (frames and back-pressure), <see cref="PlayoutReporter"/>
/// (reports and latency), <see cref="CallerIdleMonitor"/>, <see cref="CallEndSignal"/>;
/// <see cref="AgentStreamObserver"/> feeds it from the agent stream.
/// </summary>
/// <remarks>
/// Threads: stream events arrive on Orleans' threads, ticks on the pacer thread, inbound activity from the
/// connection's read loop. One lock guards the queue and the socket writer; nothing under it blocks (a flush
/// still pending from the last tick makes this tick skip its frame instead of waiting). Its log messages carry
/// the call id themselves: they are written from the pacer and Orleans threads, outside the connection's scope.
/// </remarks>
internal sealed partial class PlayoutCall : IPacedCall
{
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly PlayoutQueue _queue;
    private readonly PlayoutSocket _socket;
    private readonly PlayoutReporter _reporter;
    private readonly LineKeepalive _keepalive;
    private readonly CallerIdleMonitor _idle;
    private readonly QuietMoment _quiet;
    private readonly CallEndSignal _end;
    private readonly GatewayMetrics _metrics;
    private readonly ILogger _logger;
    private readonly long _lateTicks;
    private readonly int _leadFrames;
    private int _ticksSinceAgentFrame = int.MaxValue; // ticks since the last agent frame went out, when a drain may end
    private readonly byte _silenceByte;
    private KeyValuePair<string, object?> _providerTag = GatewayMetrics.ProviderTag("unknown");
    private bool _closed;
    private bool _playing;
    private volatile bool _endAtQuietMoment;

    /// <param name="callId">The AudioSocket call id.</param>
    /// <param name="callerFormat">What the caller's frames carry.</param>
    /// <param name="playoutFormat">What we send back: always slin, at the rate its label (0x10-0x18) names.</param>
    /// <param name="output">The socket's writer.</param>
    /// <param name="input">The socket's reader (its pending read is cancelled to end the call).</param>
    /// <param name="options">The audiosocket options.</param>
    /// <param name="time">The clock of ticks, keepalive, idle timeout and reports (the pacer's deadlines are its timestamps).</param>
    /// <param name="metrics">The gateway's metrics.</param>
    /// <param name="logger">The log.</param>
    public PlayoutCall(
        Guid callId, AudioFormat callerFormat, AudioFormat playoutFormat, PipeWriter output, PipeReader input,
        AudioSocketOptions options, TimeProvider time, GatewayMetrics metrics, ILogger logger)
    {
        if (playoutFormat.Encoding != AudioEncoding.Pcm16)
        {
            throw new ArgumentException($"Asterisk reads only slin from AudioSocket, not {playoutFormat}", nameof(playoutFormat));
        }

        CallId = callId;
        CallerFormat = callerFormat;
        Format = playoutFormat;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        var framePeriod = TimeSpan.FromMilliseconds(options.FrameMs);
        var frameBytes = playoutFormat.BytesFor(framePeriod);
        _silenceByte = SignalLevel.SilenceByte(playoutFormat.Encoding);
        _queue = new PlayoutQueue(frameBytes, (long)playoutFormat.BytesPerSecond * options.MaxQueueSeconds / frameBytes * frameBytes, _silenceByte);
        _socket = new PlayoutSocket(output, AudioSocketKinds.KindOf(playoutFormat), frameBytes);
        _reporter = new PlayoutReporter(time, playoutFormat, framePeriod);
        _keepalive = new LineKeepalive(time, TimeSpan.FromMilliseconds(options.KeepaliveMs));
        _idle = new CallerIdleMonitor(
            time, TimeSpan.FromSeconds(options.IdleTimeoutSeconds), TimeSpan.FromSeconds(options.IdleGraceSeconds),
            options.IdleSpeechThresholdDbfs, callerFormat.Encoding);
        _quiet = new QuietMoment(time);
        _leadFrames = options.PlayoutLeadMs / options.FrameMs;
        _end = new CallEndSignal(input, _leadFrames);
        _lateTicks = 5 * time.TimestampFrequency / 1000;
    }

    public Guid CallId { get; }

    /// <summary>What the caller's frames carry (the format the grain receives).</summary>
    public AudioFormat CallerFormat { get; }

    /// <summary>What Asterisk gets back: the format agent audio is published and played in.</summary>
    public AudioFormat Format { get; }

    /// <summary>The label of every frame we send.</summary>
    public AudioSocketKind OutboundKind => _socket.Kind;

    /// <summary>Bytes of one outbound frame.</summary>
    public int FrameBytes => _socket.FrameBytes;

    /// <summary>The call's <c>provider</c> metrics tag (known once the grain has started the call).</summary>
    public KeyValuePair<string, object?> ProviderTag => _providerTag;

    /// <inheritdoc cref="CallEndSignal.Reason"/>
    public CallEndReason? EndReason => _end.Reason;

    /// <inheritdoc cref="CallEndSignal.ByPlatform"/>
    public bool EndedByPlatform => _end.ByPlatform;

    /// <inheritdoc cref="CallEndSignal.IsSignalled"/>
    public bool IsEndSignalled => _end.IsSignalled;

    /// <summary>True when the call ended because <see cref="EndAtQuietMoment"/> found a quiet moment.</summary>
    public bool EndedAtQuietMoment { get; private set; }

    /// <summary>Playout reports for the grain, read by the connection.</summary>
    public ChannelReader<PlayoutReport> Reports => _reporter.Reports;

    /// <summary>Labels this call's metrics with the provider the grain chose.</summary>
    public void SetProvider(string provider) => _providerTag = GatewayMetrics.ProviderTag(provider);

    /// <summary>Notes an inbound audio frame: keeps the line alive and, when it is loud enough, the caller active.</summary>
    public void OnCallerAudio(ReadOnlySpan<byte> frame)
    {
        var now = _time.GetTimestamp();
        _keepalive.OnInbound(now);
        _idle.OnCallerAudio(frame, now);
    }

    /// <summary>Notes any other inbound frame (DTMF): the line is alive.</summary>
    public void OnInboundActivity() => _keepalive.OnInbound(_time.GetTimestamp());

    /// <summary>Queues agent audio (from the stream observer); starting from silence, it goes out at once.</summary>
    public void Enqueue(AgentAudioChunk chunk)
    {
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
    }

    /// <summary>The provider has sent all of an utterance.</summary>
    public void MarkDone(int utteranceId)
    {
        lock (_lock)
        {
            if (!_closed && _queue.MarkDone(utteranceId))
            {
                // Its last frame is already out: report completion now.
                _reporter.Completed(utteranceId, _queue.PlayedBytesOf(utteranceId));
            }
        }
    }

    /// <summary>Barge-in: drops everything queued and reports how much of the utterance played.</summary>
    public void Flush(int utteranceId)
    {
        lock (_lock)
        {
            if (_closed)
            {
                return;
            }

            var played = _queue.Flush(utteranceId);
            _playing = false;
            _reporter.Flushed(utteranceId, played);
            LogFlushed(CallId, utteranceId, Format.MillisecondsOf(played));
        }
    }

    /// <summary>
    /// Asks the connection to end the call (first reason wins) by cancelling its pending read.
    /// <paramref name="drain"/> waits until queued agent audio has been played.
    /// </summary>
    public void RequestEnd(CallEndReason reason, bool byPlatform = false, bool drain = false)
    {
        lock (_lock)
        {
            if (!_end.TrySetReason(reason, byPlatform))
            {
                return;
            }

            if (drain)
            {
                // The pacer ends the call once the queue and the lead are played out (even when the queue is
                // already empty, its last frames went out ahead of real time); nothing more will complete a frame.
                _queue.FinishAll();
                return;
            }
        }

        _end.Signal();
    }

    /// <summary>
    /// The gateway is draining: end the call (<see cref="CallEndReason.Shutdown"/>) at the first quiet moment, which
    /// the pacer looks for on every tick (<see cref="QuietMoment"/>). <see cref="RequestEnd"/> still ends it at once.
    /// </summary>
    public void EndAtQuietMoment() => _endAtQuietMoment = true;

    /// <summary>Stops all writes from the pacer; returns a flush still in flight, to await before the last frame.</summary>
    public ValueTask<FlushResult>? Close()
    {
        lock (_lock)
        {
            _closed = true;
            _queue.Flush(int.MinValue);
            _reporter.Complete();
            return _socket.TakePendingFlush();
        }
    }

    /// <inheritdoc/>
    public void OnTick(long deadline)
    {
        var end = false;
        lock (_lock)
        {
            if (_closed || !SocketReady())
            {
                return;
            }

            var now = _time.GetTimestamp();
            var written = WriteAgentFrames(now, late: now - deadline > _lateTicks);
            if (written == 0 && _ticksSinceAgentFrame < int.MaxValue)
            {
                _ticksSinceAgentFrame++;
            }

            if (written == 0 && _keepalive.IsDue(now))
            {
                // Neither side has sent anything for a while: keep Asterisk from giving up on the line.
                _socket.WriteSilence(_silenceByte);
                _metrics.KeepaliveFrame(_providerTag);
                written = 1;
            }

            if (written > 0)
            {
                _keepalive.OnOutbound(now);
                FlushSocket();
            }

            if (EndReason is not null)
            {
                end = _end.DrainTick(_queue.IsEmpty, _ticksSinceAgentFrame);
            }
            else if (!_playing && _queue.IsEmpty)
            {
                end = CheckQuiet(now) || CheckIdle(now);
            }
        }

        if (end)
        {
            _end.Signal();
        }
    }

    /// <summary>
    /// Starting from silence, audio goes out as it arrives rather than at the next tick (which would add 10 ms on
    /// average to every utterance's first frame): the lead now, then one frame per tick from the pacer, so
    /// Asterisk holds between 40 and 60 ms ahead, as on the grid. Called under the lock.
    /// </summary>
    private void StartOnArrival()
    {
        if (_playing || _closed || _queue.IsEmpty || !SocketReady())
        {
            return;
        }

        var now = _time.GetTimestamp();
        if (WriteAgentFrames(now, late: false, due: Math.Max(1, _leadFrames)) > 0)
        {
            _keepalive.OnOutbound(now);
            FlushSocket();
        }
    }

    private int WriteAgentFrames(long now, bool late, int? due = null)
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
            if (!_queue.TryCut(_socket.ReserveFrame(), out var cut))
            {
                // Reserved but not committed: nothing is written.
                if (_playing && written == 0 && _queue.IsMidUtterance)
                {
                    _metrics.Underrun(_providerTag);
                }

                break;
            }

            _socket.CommitFrame();
            written++;
            _reporter.OnFrameCut(cut);
        }

        _playing = written > 0;
        if (written > 0)
        {
            _ticksSinceAgentFrame = 0;
            _idle.OnAgentFrame(now);
            _metrics.FramesOut(written, _providerTag);
            if (late)
            {
                _metrics.LateFrames(written, _providerTag);
            }
        }

        return written;
    }

    /// <summary>A draining call ends at a quiet moment. Called under the lock, with nothing queued or playing.</summary>
    private bool CheckQuiet(long now)
    {
        if (!_endAtQuietMoment || _queue.IsMidUtterance || !_quiet.IsQuiet(now, _idle.LastCallerVoice, _idle.LastAgentFrame))
        {
            return false;
        }

        EndedAtQuietMoment = _end.TrySetReason(CallEndReason.Shutdown);
        return EndedAtQuietMoment;
    }

    private bool CheckIdle(long now)
    {
        var verdict = _idle.Check(now);
        if (verdict.WentIdle)
        {
            LogIdle(CallId, (long)_idle.Timeout.TotalSeconds, (long)_idle.Grace.TotalSeconds);
        }

        if (!verdict.Expired)
        {
            return false;
        }

        _end.TrySetReason(CallEndReason.IdleTimeout);
        return true;
    }

    /// <summary>Settles the previous tick's flush; false while it is still in flight (this tick is skipped) or the peer is gone.</summary>
    private bool SocketReady()
    {
        switch (_socket.PollPendingFlush())
        {
            case FlushState.Ready:
                return true;
            case FlushState.InFlight:
                // A slow socket must not hold up the pacer: skip this call's frame and count it late.
                if (!_queue.IsEmpty)
                {
                    _metrics.BackpressuredFrame(_providerTag);
                }

                return false;
            default:
                OnPeerGone();
                return false;
        }
    }

    private void FlushSocket()
    {
        if (!_socket.Flush())
        {
            OnPeerGone();
        }
    }

    private void OnPeerGone()
    {
        // The peer stopped reading: nothing more can be played.
        _closed = true;
        _end.TrySetReason(CallEndReason.CallerHangup);
        _end.Signal();
    }

    [LoggerMessage(EventId = 2200, Level = LogLevel.Warning, Message = "Call {CallId}: playout queue full: dropped {Frames} oldest frames")]
    private partial void LogQueueFull(Guid callId, long frames);

    [LoggerMessage(EventId = 2201, Level = LogLevel.Information, Message = "Call {CallId}: barge-in: flushed playout of utterance {UtteranceId} after {PlayedMs} ms")]
    private partial void LogFlushed(Guid callId, int utteranceId, long playedMs);

    [LoggerMessage(EventId = 2205, Level = LogLevel.Information, Message = "Call {CallId}: caller silent for {IdleSeconds} s; hanging up after {GraceSeconds} s more silence")]
    private partial void LogIdle(Guid callId, long idleSeconds, long graceSeconds);
}
