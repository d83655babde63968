using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Protocol;
using AiAgent.CallSim.Reporting;

namespace AiAgent.CallSim.Simulation;

/// <summary>
/// One call as Asterisk's AudioSocket application places it: TCP connect (NoDelay), the UUID frame, then one audio
/// frame per 20 ms tick of the shared pacer for the whole call (leading silence, the caller's speech, silence while
/// the reply arrives), DTMF frames on request, and a hangup that is just the socket closing. Everything the server
/// sends is parsed and checked as Asterisk 20.14+ does (docs/protocols/audiosocket.md#what-asterisk-accepts).
/// </summary>
/// <remarks>
/// Threads: the pacer thread alone writes to the socket and moves the call from streaming to finishing; the receive
/// loop only parses and asks for the call to end (<see cref="RequestEnd"/>); the pacer acts on that at its next tick.
/// </remarks>
internal sealed class SimulatedCall
{
    /// <summary>A received frame whose samples all lie within ±this value (about -60 dBFS) counts as silence.</summary>
    public const short SilencePeak = AgentSpeech.SilencePeak;

    private const int MaxViolationDetails = 10;

    /// <summary>How long the end of a call waits for a write the server is not reading.</summary>
    private static readonly TimeSpan s_drainTimeout = TimeSpan.FromSeconds(1);

    private const int PhasePending = 0;
    private const int PhaseConnecting = 1;
    private const int PhaseStreaming = 2;
    private const int PhaseFinishing = 3;
    private const int PhaseDone = 4;

    private readonly CallSettings _settings;
    private readonly CallFormat _format;
    private readonly CallFormat _replyFormat;
    private readonly byte _audioKind;
    private readonly int _leadingFrames;
    private readonly int _totalFrames;
    private readonly int[] _dtmfFrames;
    private readonly SilentFrames _silence;
    private readonly ConversationTimeline _timeline;
    private readonly ConversationScript? _script;
    private readonly SilentFrames? _speechSilence;
    private readonly char[] _dtmfDigits;
    private readonly byte[] _sendBuffer;
    private readonly List<long> _arrivals;
    private readonly ArrayBufferWriter<byte>? _recording;
    private readonly List<string> _violationDetails = [];
    private readonly TaskCompletionSource<CallResult> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private int _phase;
    private int _endRequest;
    private string? _error;
    private Socket? _socket;
    private NetworkStream? _stream;
    private Task _receiveLoop = Task.CompletedTask;
    private ValueTask _pendingWrite;
    private bool _writePending;
    private int _nextFrame;
    private int _nextDtmf;
    private int _classicTurn; // 0 before the caller's speech, 1 speaking, 2 done

    private long _connectedAt;
    private DateTimeOffset? _connectedAtUtc;
    private long _finishingAt;
    private long _hungUpAt;
    private long _eofAt;

    private int _framesSent;
    private int _framesWithheld;
    private long _speechEndAt;
    private long _replyAt;
    private long _hangupFrameAt;
    private int _dtmfSent;
    private int _sendStalls;
    private long _sendLateMax;

    private int _framesReceived;
    private int _wrongSize;
    private int _kindMismatch;
    private int _violations;
    private int _silentFrames;
    private int _speechFrames;
    private int _afterHangup;
    private long _firstAudioAt;
    private long _firstSpeechAt;
    private bool _closeTimedOut;

    /// <summary>Prepares a call; nothing happens until the simulator's pacer starts it.</summary>
    public SimulatedCall(CallSettings settings)
    {
        settings.Validate();
        _settings = settings;
        _format = settings.Format;
        _replyFormat = settings.ReplyFormat;
        _audioKind = settings.AudioKind;
        _leadingFrames = CallSettings.FramesIn(settings.LeadingSilence);
        _totalFrames = settings.TotalFrames;
        _silence = SilentFrames.Of(settings);

        // Every call keeps a timeline: a classic call's one turn bounds its reply too, for the late-frame count.
        _timeline = new ConversationTimeline(Stopwatch.Frequency);
        if (settings.Conversation is { } conversation)
        {
            // The script indexes frames of the speech alone, so it is classified without leading silence or tail.
            _speechSilence = SilentFrames.Of(settings with { LeadingSilence = TimeSpan.Zero, Tail = TimeSpan.Zero });
            var speechFrames = (int)Math.Ceiling((double)settings.Audio.Bytes.Length / _format.FrameBytes);
            _script = new ConversationScript(
                conversation, speechFrames, _speechSilence.LastSpeechFrame, settings.LeadingSilence, _timeline, Stopwatch.Frequency);
        }

        _dtmfFrames = new int[settings.Dtmf.Count];
        _dtmfDigits = new char[settings.Dtmf.Count];
        var ordered = settings.Dtmf.OrderBy(static d => d.At).ToArray();
        for (var i = 0; i < ordered.Length; i++)
        {
            _dtmfFrames[i] = CallSettings.FramesIn(ordered[i].At);
            _dtmfDigits[i] = ordered[i].Digit;
        }

        // One write per tick: any DTMF due now, then the audio frame, built in this buffer (no allocation per frame).
        _sendBuffer = new byte[(AudioSocketCodec.DtmfFrameSize * _dtmfFrames.Length) + AudioSocketCodec.HeaderSize + _format.FrameBytes];
        _arrivals = new List<long>(_totalFrames + 64);
        _recording = settings.Record ? new ArrayBufferWriter<byte>(_totalFrames * _replyFormat.FrameBytes) : null;
    }

    /// <summary>The call UUID.</summary>
    public Guid CallId => _settings.CallId;

    /// <summary>Completes when the call has ended and its socket is closed.</summary>
    public Task<CallResult> Completion => _completion.Task;

    /// <summary>Pacer: opens the connection in the background; the call streams from the first tick after it is up.</summary>
    internal void BeginConnect()
    {
        Volatile.Write(ref _phase, PhaseConnecting);
        _ = ConnectAsync();
    }

    /// <summary>Pacer: the run was cancelled before this call started.</summary>
    internal void MarkNotStarted()
    {
        Volatile.Write(ref _phase, PhaseDone);
        _completion.TrySetResult(BuildResult(CallOutcome.NotStarted));
    }

    /// <summary>
    /// Pacer: sends this tick's frame (and any DTMF due). Returns false once the call no longer needs ticks.
    /// </summary>
    internal bool OnTick(long deadline, bool hangUp)
    {
        switch (Volatile.Read(ref _phase))
        {
            case PhasePending or PhaseConnecting:
                return true;
            case PhaseStreaming:
                break;
            default:
                return false;
        }

        // A conversation decides each tick from what it has heard; the classic call follows its fixed frame plan.
        var step = _script?.Next(Stopwatch.GetTimestamp());
        var planOver = step is { } next ? next.Action == CallerAction.HangUp : _nextFrame >= _totalFrames;
        if (hangUp || planOver)
        {
            RequestEnd(CallOutcome.CallerHangup, null);
        }

        if (Volatile.Read(ref _endRequest) != 0)
        {
            BeginFinish();
            return false;
        }

        if (_writePending)
        {
            if (!_pendingWrite.IsCompleted)
            {
                // The server is not reading. A live call cannot wait: this tick's audio is lost.
                _sendStalls++;
                _nextFrame++;
                return true;
            }

            _writePending = false;
            if (!TryCompleteWrite(_pendingWrite))
            {
                BeginFinish();
                return false;
            }
        }

        var length = 0;
        while (_nextDtmf < _dtmfFrames.Length && _dtmfFrames[_nextDtmf] <= _nextFrame)
        {
            length += AudioSocketCodec.WriteDtmf(_sendBuffer.AsSpan(length), _dtmfDigits[_nextDtmf++]);
            _dtmfSent++;
        }

        if (step is null && _nextFrame == _silence.LastSpeechFrame + 1)
        {
            // The caller's last speech frame went out one tick ago and has now played: its turn is over.
            Volatile.Write(ref _speechEndAt, Stopwatch.GetTimestamp());
        }

        if (step is null)
        {
            MarkClassicTurn();
        }

        var audioFrame = step is { } current
            ? current.Action == CallerAction.Speech ? current.AudioFrame : -1
            : _nextFrame - _leadingFrames;
        var withhold = _settings.SilentGaps && (step is null ? _silence.IsSilent(_nextFrame) : _speechSilence!.IsSilent(audioFrame));
        if (withhold)
        {
            // Silence suppression: no frame at all for this tick (DTMF due now still goes).
            _framesWithheld++;
            if (length == 0)
            {
                _nextFrame++;
                return true;
            }
        }
        else
        {
            length += AudioSocketCodec.WriteHeader(_sendBuffer.AsSpan(length), _audioKind, _format.FrameBytes);
            FillFrame(_sendBuffer.AsSpan(length, _format.FrameBytes), audioFrame);
            length += _format.FrameBytes;
        }

        _sendLateMax = Math.Max(_sendLateMax, Stopwatch.GetTimestamp() - deadline);
        try
        {
            var write = _stream!.WriteAsync(_sendBuffer.AsMemory(0, length));
            if (write.IsCompleted)
            {
                if (!TryCompleteWrite(write))
                {
                    BeginFinish();
                    return false;
                }
            }
            else
            {
                _pendingWrite = write;
                _writePending = true;
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            RequestEnd(CallOutcome.SocketError, $"write failed: {ex.Message}");
            BeginFinish();
            return false;
        }

        if (!withhold)
        {
            _framesSent++;
        }

        _nextFrame++;
        return true;
    }

    /// <summary>
    /// A classic call's one turn, for the timeline (so its reply's gaps are told from the wait before it): begun at the
    /// first frame of the WAV, over once its last speech frame has played. Catches up after a stalled tick.
    /// </summary>
    private void MarkClassicTurn()
    {
        var lastSpeech = _silence.LastSpeechFrame;
        if (lastSpeech < _leadingFrames || _classicTurn == 2)
        {
            return;
        }

        var now = Stopwatch.GetTimestamp();
        if (_classicTurn == 0 && _nextFrame >= _leadingFrames)
        {
            _timeline.CallerTurnStarted(now);
            _classicTurn = 1;
        }

        if (_classicTurn == 1 && _nextFrame > lastSpeech)
        {
            _timeline.CallerTurnEnded(now);
            _classicTurn = 2;
        }
    }

    private bool TryCompleteWrite(ValueTask write)
    {
        try
        {
            write.GetAwaiter().GetResult();
            return true;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            RequestEnd(CallOutcome.SocketError, $"write failed: {ex.Message}");
            return false;
        }
    }

    /// <summary>Frame <paramref name="audioFrame"/> of the caller's speech; silence outside it (negative: silence).</summary>
    private void FillFrame(Span<byte> payload, int audioFrame)
    {
        var audio = _settings.Audio.Bytes.Span;
        var offset = (long)audioFrame * _format.FrameBytes;
        if (offset < 0 || offset >= audio.Length)
        {
            payload.Fill(_format.SilenceByte);
            return;
        }

        var available = audio[(int)offset..];
        var copied = Math.Min(available.Length, payload.Length);
        available[..copied].CopyTo(payload);
        payload[copied..].Fill(_format.SilenceByte);
    }

    private async Task ConnectAsync()
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            using (var timeout = new CancellationTokenSource(_settings.ConnectTimeout))
            {
                try
                {
                    await socket.ConnectAsync(_settings.Host, _settings.Port, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    throw new TimeoutException(
                        $"connect to {_settings.Host}:{_settings.Port} timed out after {_settings.ConnectTimeout.TotalMilliseconds:0} ms");
                }
            }

            _connectedAt = Stopwatch.GetTimestamp();
            _connectedAtUtc = DateTimeOffset.UtcNow;
            _socket = socket;
            _stream = new NetworkStream(socket, ownsSocket: false);
            var uuid = new byte[AudioSocketCodec.UuidFrameSize];
            AudioSocketCodec.WriteUuid(uuid, _settings.CallId);
            await _stream.WriteAsync(uuid).ConfigureAwait(false);
            _receiveLoop = ReceiveLoopAsync();
            Volatile.Write(ref _phase, PhaseStreaming);
        }
        catch (Exception ex)
        {
            // Refused, unreachable, timed out, bad host name: a clear outcome for this call, never a crash.
            _stream?.Dispose();
            socket.Dispose();
            Volatile.Write(ref _phase, PhaseDone);
            _error = ex is SocketException or TimeoutException
                ? ex.Message
                : $"{ex.GetType().Name}: {ex.Message}";
            _completion.TrySetResult(BuildResult(CallOutcome.ConnectFailed));
        }
    }

    /// <summary>Asks for the call to end; the first request wins and decides the outcome.</summary>
    private void RequestEnd(CallOutcome outcome, string? error)
    {
        if (Interlocked.CompareExchange(ref _endRequest, (int)outcome, 0) == 0)
        {
            _error = error;
        }
    }

    private void BeginFinish()
    {
        Volatile.Write(ref _phase, PhaseFinishing);
        _finishingAt = Stopwatch.GetTimestamp();
        _ = FinishAsync();
    }

    private async Task FinishAsync()
    {
        var outcome = (CallOutcome)Volatile.Read(ref _endRequest);
        Task? pending = null;
        try
        {
            if (_writePending)
            {
                // A server that stopped reading may never let this write finish: wait a little, then close anyway.
                _writePending = false;
                pending = _pendingWrite.AsTask();
                await Quietly(pending.WaitAsync(s_drainTimeout)).ConfigureAwait(false);
            }

            if (outcome == CallOutcome.CallerHangup && (pending is null || pending.IsCompletedSuccessfully))
            {
                await HangUpAsync().ConfigureAwait(false);
            }
            else if (outcome == CallOutcome.ServerHangupFrame)
            {
                await AwaitServerCloseAsync().ConfigureAwait(false);
            }

            // Asterisk closes its socket whatever ended the call; that also ends our receive loop if still reading.
            _socket!.Dispose();
            if (pending is not null)
            {
                await Quietly(pending).ConfigureAwait(false);
            }

            await _receiveLoop.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _socket?.Dispose();
            _error ??= $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            _stream?.Dispose();
            Volatile.Write(ref _phase, PhaseDone);
            _completion.TrySetResult(BuildResult(outcome));
        }
    }

    /// <summary>Awaits a write or wait whose failure only means the socket is going away.</summary>
    private static async Task Quietly(Task task)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or TimeoutException or OperationCanceledException)
        {
            // Nothing to report: the call is ending.
        }
    }

    /// <summary>
    /// Hangs up as Asterisk does (no frame, the socket closes), but half-closes first and keeps reading for
    /// <see cref="CallSettings.CloseWait"/>: the server must answer our FIN by closing, or its side sits in CLOSE-WAIT.
    /// </summary>
    private async Task HangUpAsync()
    {
        try
        {
            if (_settings.SendHangupFrame)
            {
                var hangup = new byte[AudioSocketCodec.HeaderSize];
                AudioSocketCodec.WriteHangup(hangup);
                using var timeout = new CancellationTokenSource(s_drainTimeout);
                await _stream!.WriteAsync(hangup, timeout.Token).ConfigureAwait(false);
            }

            Volatile.Write(ref _hungUpAt, Stopwatch.GetTimestamp());
            _socket!.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            return;
        }

        await AwaitServerCloseAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Waits up to <see cref="CallSettings.CloseWait"/> for the server to close its side: after our FIN, or after its
    /// own hangup frame, which it should follow in the same step (Asterisk closes on its own at once, so a server that
    /// waits would leak a socket). A close wait of zero checks nothing.
    /// </summary>
    private async Task AwaitServerCloseAsync()
    {
        if (_settings.CloseWait == TimeSpan.Zero)
        {
            return;
        }

        try
        {
            await _receiveLoop.WaitAsync(_settings.CloseWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _closeTimedOut = Volatile.Read(ref _eofAt) == 0;
        }
    }

    private async Task ReceiveLoopAsync()
    {
        var reader = PipeReader.Create(_stream!, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                var arrivedAt = Stopwatch.GetTimestamp();
                var buffer = result.Buffer;
                var stop = false;
                try
                {
                    while (!stop && AudioSocketCodec.TryReadFrame(ref buffer, out var kind, out var payload))
                    {
                        stop = !OnFrame(kind, payload, arrivedAt);
                    }

                    if (!stop && result.IsCompleted)
                    {
                        if (!buffer.IsEmpty)
                        {
                            Violation($"stream ended inside a frame ({buffer.Length} bytes left over)");
                        }

                        Volatile.Write(ref _eofAt, arrivedAt);
                        RequestEnd(CallOutcome.ServerClosed, null);
                        stop = true;
                    }
                }
                finally
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                }

                if (stop)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // After our hangup, or the server's hangup frame, a reset is the server closing (with our unread frames)
            // or our own close; before it, the server reset the connection.
            if (Volatile.Read(ref _hungUpAt) != 0 || _hangupFrameAt != 0)
            {
                Interlocked.CompareExchange(ref _eofAt, Stopwatch.GetTimestamp(), 0);
            }
            else if (Volatile.Read(ref _phase) < PhaseFinishing)
            {
                RequestEnd(CallOutcome.SocketError, $"read failed: {ex.Message}");
            }
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Handles one frame from the server; returns false to stop reading.</summary>
    private bool OnFrame(byte kind, ReadOnlySequence<byte> payload, long arrivedAt)
    {
        var hungUp = Volatile.Read(ref _hungUpAt) != 0;
        if (kind == AudioSocketKind.Hangup)
        {
            if (hungUp)
            {
                return true;
            }

            if (_hangupFrameAt == 0)
            {
                _hangupFrameAt = arrivedAt;
                RequestEnd(CallOutcome.ServerHangupFrame, null);
            }

            return true; // read on to the server's close, which times how long it took
        }

        if (_hangupFrameAt != 0)
        {
            return true; // after the server's hangup frame nothing counts: Asterisk has ended the application
        }

        if (!AudioSocketKind.IsAudio(kind))
        {
            if (hungUp)
            {
                return true;
            }

            // Asterisk 20.14+ logs an error and tears the session down for anything but audio or hangup.
            Violation($"server sent kind {AudioSocketKind.Describe(kind)} with {payload.Length} bytes; only audio and hangup are allowed");
            RequestEnd(CallOutcome.ProtocolViolation, null);
            return false;
        }

        if (payload.IsEmpty)
        {
            Violation($"server sent a zero-length audio frame, kind 0x{kind:X2}");
            RequestEnd(CallOutcome.ProtocolViolation, null);
            return false;
        }

        if (hungUp)
        {
            _afterHangup++;
            return true;
        }

        OnAudio(kind, payload, arrivedAt);
        return true;
    }

    private void OnAudio(byte kind, ReadOnlySequence<byte> payload, long arrivedAt)
    {
        _framesReceived++;
        _arrivals.Add(arrivedAt);
        if (_firstAudioAt == 0)
        {
            _firstAudioAt = arrivedAt;
        }

        var length = (int)payload.Length;
        if (length != _replyFormat.FrameBytes)
        {
            _wrongSize++;
        }

        if ((length & 1) != 0)
        {
            // Asterisk computes samples = len / 2 and drops the odd byte; a server must never send this.
            Violation($"server sent an odd-length audio frame ({length} bytes)");
        }

        if (kind != _audioKind)
        {
            _kindMismatch++;
            _timeline.AgentFrame(arrivedAt, speech: false);
            return;
        }

        byte[]? rented = null;
        var bytes = payload.IsSingleSegment ? payload.FirstSpan : Copy(payload, out rented);
        bytes = bytes[..(length & ~1)];
        var silent = IsSilent(bytes);
        _timeline.AgentFrame(arrivedAt, speech: !silent);
        if (silent)
        {
            _silentFrames++;
        }
        else
        {
            _speechFrames++;
            _settings.OnAgentSpeech?.Invoke();
            if (_firstSpeechAt == 0)
            {
                _firstSpeechAt = arrivedAt;
            }

            if (_replyAt == 0 && Volatile.Read(ref _speechEndAt) is var speechEnd and not 0 && arrivedAt >= speechEnd)
            {
                _replyAt = arrivedAt;
            }
        }

        _recording?.Write(bytes);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static ReadOnlySpan<byte> Copy(in ReadOnlySequence<byte> payload, out byte[] rented)
    {
        rented = ArrayPool<byte>.Shared.Rent((int)payload.Length);
        payload.CopyTo(rented);
        return rented.AsSpan(0, (int)payload.Length);
    }

    /// <summary>True when every s16le sample lies within ±<see cref="SilencePeak"/>.</summary>
    public static bool IsSilent(ReadOnlySpan<byte> pcm) => AgentSpeech.IsSilent(pcm);

    private void Violation(string detail)
    {
        _violations++;
        if (_violationDetails.Count < MaxViolationDetails)
        {
            var at = _connectedAt == 0 ? 0 : Milliseconds(Stopwatch.GetTimestamp() - _connectedAt);
            _violationDetails.Add($"{at:0} ms: {detail}");
        }
    }

    private CallResult BuildResult(CallOutcome outcome)
    {
        var gaps = GapStatistics.GapsMs(CollectionsMarshal.AsSpan(_arrivals), Stopwatch.Frequency);
        var replyGaps = _timeline.ReplyGapsMs();
        double? closeMs = null;
        if (_hungUpAt != 0 && _eofAt != 0)
        {
            closeMs = Math.Max(0, Milliseconds(_eofAt - _hungUpAt));
        }

        double? closeAfterFrameMs = _hangupFrameAt != 0 && _eofAt != 0 && !_closeTimedOut ? Math.Max(0, Milliseconds(_eofAt - _hangupFrameAt)) : null;

        var conversation = _settings.Conversation is null ? null : _timeline.Summarize(
            _connectedAt,
            _finishingAt != 0 ? _finishingAt : Stopwatch.GetTimestamp(),
            outcome is CallOutcome.CallerHangup or CallOutcome.NotStarted ? null : _error is null ? outcome.ToString() : $"{outcome}: {_error}");
        var summary = new CallSummary
        {
            CallId = _settings.CallId.ToString(),
            Target = $"{_settings.Host}:{_settings.Port}",
            Format = _format.Name,
            Outcome = outcome,
            Error = _error,
            DurationMs = _connectedAt == 0 ? 0 : Milliseconds(_finishingAt - _connectedAt),
            FramesSent = _framesSent,
            FramesWithheld = _framesWithheld,
            ConnectedAtUtc = _connectedAtUtc,
            ReplyAfterSpeechMs = conversation is not null
                ? conversation.Cycles.FirstOrDefault()?.ReplyMs
                : _replyAt == 0 ? null : Milliseconds(_replyAt - Volatile.Read(ref _speechEndAt)),
            HangupAfterLastFrameMs = _hangupFrameAt == 0 || _arrivals.Count == 0 ? null : Milliseconds(_hangupFrameAt - _arrivals[^1]),
            DtmfSent = _dtmfSent,
            SendStalls = _sendStalls,
            SendLateMaxMs = Milliseconds(_sendLateMax),
            FramesReceived = _framesReceived,
            WrongSizeFrames = _wrongSize,
            KindMismatchFrames = _kindMismatch,
            Violations = _violations,
            ViolationDetails = _violationDetails.ToArray(),
            FirstAudioMs = _firstAudioAt == 0 ? null : Milliseconds(_firstAudioAt - _connectedAt),
            FirstSpeechMs = _firstSpeechAt == 0 ? null : Milliseconds(_firstSpeechAt - _connectedAt),
            Gaps = GapStatistics.FromGaps(gaps.ToArray()),
            ReplyGaps = GapStatistics.FromGaps(replyGaps.ToArray()),
            LateFrames = _timeline.LateFrames,
            SilentFrames = _silentFrames,
            SpeechFrames = _speechFrames,
            FramesAfterHangup = _afterHangup,
            ServerCloseAfterHangupMs = closeMs,
            ServerCloseAfterHangupFrameMs = closeAfterFrameMs,
            ServerCloseTimedOut = _closeTimedOut,
            Conversation = conversation,
        };
        var audio = _recording is null ? ReadOnlyMemory<byte>.Empty : _recording.WrittenMemory;
        return new CallResult(summary, _replyFormat, audio, gaps, replyGaps);
    }

    private static double Milliseconds(long timestampTicks) => timestampTicks * 1000.0 / Stopwatch.Frequency;
}
