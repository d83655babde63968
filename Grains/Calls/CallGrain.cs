using System.Buffers;
using System.Diagnostics;
using AiAgent.Grains.Audio;
using AiAgent.Grains.Configuration;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;
using Orleans.Placement;
using Orleans.Streams;

namespace AiAgent.Grains.Calls;

/// <summary>
/// One live call. It owns the provider session, converts caller audio to the provider's input format and
/// agent audio to the call's AudioSocket format (whole frames), and publishes agent audio on the call's stream,
/// one event per provider chunk. Barge-in policy (greeting protection, echo guard) lives here, the same for
/// every provider.
/// </summary>
/// <remarks>
/// Not reentrant: the provider's socket I/O runs off the grain scheduler inside the session; its events are
/// read by a pump that runs on this activation's scheduler, so all state is touched by one thread at a time.
/// Stream events leave through one ordered publisher so their sequence numbers match the order they arrive in.
/// Immovable: the activation holds a live provider WebSocket, so the rebalancer must not migrate it.
/// </remarks>
[Immovable]
public sealed partial class CallGrain(
    IEnumerable<IAgentProvider> providers,
    IOptionsMonitor<AgentOptions> options,
    CallMetrics metrics,
    [PersistentState("call", CallStorage.Name)] IPersistentState<CallRecord> record,
    ILogger<CallGrain> logger) : Grain, ICallGrain
{
    /// <summary>Caller audio silent this long (no messages at all) means the gateway is gone.</summary>
    private static readonly TimeSpan GatewayLostAfter = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WatchdogPeriod = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private const int TranscriptLimit = 500;
    private const int LatencyLimit = 200;

    private readonly CancellationTokenSource _callCancellation = new();
    private readonly List<TranscriptLine> _transcript = [];
    private readonly List<double> _turnLatenciesMs = [];
    private readonly Dictionary<int, Utterance> _utterances = [];
    private readonly CallerFrameSequencer _sequence = new();
    private readonly List<CallerAudio> _readyFrames = [];
    private readonly long _activatedTimestamp = Stopwatch.GetTimestamp();
    private readonly Channel<AgentStreamEvent> _outbound = Channel.CreateUnbounded<AgentStreamEvent>(new() { SingleReader = true });

    private CallState _state = CallState.New;
    private AudioFormat _format;
    private AudioFormat _playoutFormat;
    private string? _provider;
    private string? _gatewayId;
    private DateTime? _startedAtUtc;
    private DateTime? _endedAtUtc;
    private CallEndReason? _endReason;
    private IAgentSession? _session;
    private AudioConverter? _toProvider;
    private AudioConverter? _toCall;
    private AudioFramer? _framer;
    private byte[] _inputScratch = [];
    private IAsyncStream<AgentStreamEvent>? _stream;
    private Task? _providerPump;
    private Task? _publisher;
    private IGrainTimer? _watchdog;
    private long _outboundSequence;
    private DateTime _lastCallerAudioUtc;
    private DateTime? _turnEndedAtUtc;
    private DateTime? _lastPlayoutEndedUtc;
    private int _playingUtteranceId;
    private bool _greetingMeasured;
    private long _chunksOut;
    private long _bytesOut;
    private long _bargeIns;
    private long _providerErrors;
    private long _providerReconnects;
    private long _dtmfDigits;
    private long _reportedFrames;
    private long _reportedLost;
    private long _reportedLate;
    private Activity? _callActivity;
    private Activity? _turnActivity;
    private int _turns;

    private Guid CallId => this.GetPrimaryKey();

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (record.Snapshot() is { } saved)
        {
            if (saved.State == CallState.Ended)
            {
                // An ended call stays ended: a late or repeated StartAsync must not bring it back.
                _state = CallState.Ended;
            }
            else
            {
                // This activation replaces one that held a live call (its silo died): the provider session is
                // gone with it. Keep the transcript so the restarted call continues the conversation record.
                _transcript.AddRange(saved.Transcript);
            }
        }

        await base.OnActivateAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_state is CallState.Active or CallState.Connecting)
        {
            await EndCallAsync(CallEndReason.Shutdown, notifyGateway: true);
        }

        _watchdog?.Dispose();
        _callCancellation.Dispose();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<CallStarted> StartAsync(CallStartRequest request)
    {
        if (_state == CallState.Active && _provider is not null)
        {
            // A gateway retrying StartAsync: the call is already up.
            return new CallStarted(_provider, _playoutFormat);
        }

        if (_state == CallState.Ended)
        {
            throw new InvalidOperationException($"call {CallId} has already ended");
        }

        if (!request.Format.IsSupported)
        {
            throw new ArgumentException($"AudioSocket format {request.Format} is not supported", nameof(request));
        }

        var playout = request.EffectivePlayoutFormat;
        if (!playout.IsSupported || playout.Encoding != AudioEncoding.Pcm16)
        {
            throw new ArgumentException($"playout format {playout} is not supported (Asterisk reads slin back)", nameof(request));
        }

        var current = options.CurrentValue;
        var provider = providers.FirstOrDefault(p => p.Name == current.DefaultProvider)
            ?? throw new InvalidOperationException($"provider '{current.DefaultProvider}' is not registered in this silo");

        _state = CallState.Connecting;
        _format = request.Format;
        _playoutFormat = playout;
        _provider = provider.Name;
        _gatewayId = request.GatewayId;
        _startedAtUtc = DateTime.UtcNow;
        _lastCallerAudioUtc = _startedAtUtc.Value;
        _callActivity = CallTracing.StartCall(CallId, provider.Name, request.Format.ToString());
        _stream = this.GetStreamProvider(CallStreams.ProviderName).GetStream<AgentStreamEvent>(CallStreams.AgentOutput(CallId));
        _publisher = PublishOutboundAsync();

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = CallId });
        var session = provider.CreateSession(new AgentSessionContext(CallId, request.Format));
        try
        {
            _toProvider = AudioConverter.Create(request.Format, session.Formats.Input);
            _toCall = AudioConverter.Create(session.Formats.Output, playout);
            _framer = new AudioFramer(playout, request.FrameDuration);
            _session = session;
            _providerPump = PumpProviderEventsAsync(session);
            await session.StartAsync(_callCancellation.Token);
        }
        catch (Exception ex)
        {
            LogStartFailed(logger, ex, CallId, provider.Name);
            metrics.CallStarted(provider.Name);
            await EndCallAsync(CallEndReason.ProviderError, notifyGateway: false);
            throw new InvalidOperationException($"call {CallId} could not start its '{provider.Name}' session: {ex.Message}");
        }

        _state = CallState.Active;
        metrics.CallStarted(provider.Name);
        LogCallStarted(logger, CallId, provider.Name, request.Format, playout, session.Formats.Input, session.Formats.Output, request.GatewayId);
        _watchdog = this.RegisterGrainTimer(WatchdogAsync, new GrainTimerCreationOptions(WatchdogPeriod, WatchdogPeriod) { Interleave = true });
        GrainFactory.GetGrain<ICallDirectoryGrain>(0).RegisterAsync(new CallListing(CallId, provider.Name, _startedAtUtc.Value, null)).Ignore();
        await WriteRecordAsync();
        return new CallStarted(provider.Name, playout);
    }

    /// <inheritdoc/>
    [NoProfiling] // 50 calls/s per call: profiling it would swamp the dashboard
    public async Task PushCallerAudioAsync(CallerAudio audio)
    {
        if (_state != CallState.Active || _session is null || _toProvider is null)
        {
            return;
        }

        _lastCallerAudioUtc = DateTime.UtcNow;
        _readyFrames.Clear();
        _sequence.Push(audio, Stopwatch.GetElapsedTime(_activatedTimestamp), _readyFrames);
        try
        {
            foreach (var frame in _readyFrames)
            {
                await ForwardToProviderAsync(_session, _toProvider, frame.Audio);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // One-way call: nobody would see this exception, so log it and keep the call.
            LogCallerAudioFailed(logger, ex, CallId);
        }
    }

    private async ValueTask ForwardToProviderAsync(IAgentSession session, AudioConverter toProvider, ReadOnlyMemory<byte> audio)
    {
        if (toProvider.IsPassThrough)
        {
            await session.SendAudioAsync(audio, _callCancellation.Token);
            return;
        }

        var needed = toProvider.GetMaxOutputBytes(audio.Length);
        if (_inputScratch.Length < needed)
        {
            _inputScratch = new byte[needed];
        }

        var written = toProvider.Convert(audio.Span, _inputScratch);
        await session.SendAudioAsync(_inputScratch.AsMemory(0, written), _callCancellation.Token);
    }

    /// <inheritdoc/>
    public async Task SendDtmfAsync(char digit)
    {
        if (_state != CallState.Active || _session is null)
        {
            return;
        }

        _dtmfDigits++;
        AddTranscript("dtmf", digit.ToString());
        LogDtmf(logger, CallId, digit);
        await _session.SendDtmfAsync(digit, _callCancellation.Token);
    }

    /// <inheritdoc/>
    [NoProfiling]
    public async Task ReportPlayoutAsync(PlayoutReport report)
    {
        if (!_utterances.TryGetValue(report.UtteranceId, out var utterance))
        {
            return;
        }

        switch (report.Event)
        {
            case PlayoutEvent.Started:
                utterance.PlayoutStartedUtc = report.AtUtc;
                MeasureResponseLatency(utterance, report.AtUtc);
                break;
            case PlayoutEvent.Completed:
                EndPlayout(utterance, report.AtUtc);
                break;
            case PlayoutEvent.Flushed:
                EndPlayout(utterance, report.AtUtc);
                if (utterance.Interrupted && _session is not null && _state == CallState.Active)
                {
                    try
                    {
                        await _session.NotifyPlayoutInterruptedAsync(utterance.Id, report.PlayedMilliseconds, _callCancellation.Token);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogProviderCallFailed(logger, ex, CallId, "playout interrupted");
                    }
                }

                break;
        }
    }

    /// <inheritdoc/>
    public Task HangupAsync(CallEndReason reason) => EndCallAsync(reason, notifyGateway: false);

    /// <inheritdoc/>
    public Task<CallSnapshot> GetSnapshotAsync() =>
        Task.FromResult(_startedAtUtc is null && record.Snapshot() is { } saved ? saved : Snapshot());

    private CallSnapshot Snapshot() => new(
        CallId,
        _state,
        _provider,
        _format,
        _session?.Formats.Input,
        _session?.Formats.Output,
        _startedAtUtc,
        _endedAtUtc,
        _endReason,
        new CallCounters(_sequence.Delivered, _sequence.Lost, _sequence.OutOfOrder, _sequence.Duplicates,
            _chunksOut, _bytesOut, _bargeIns, _providerErrors, _providerReconnects, _dtmfDigits),
        [.. _turnLatenciesMs],
        [.. _transcript],
        _gatewayId);

    /// <summary>Reads provider events on the grain scheduler until the session ends.</summary>
    private async Task PumpProviderEventsAsync(IAgentSession session)
    {
        try
        {
            await foreach (var e in session.Events.ReadAllAsync(_callCancellation.Token))
            {
                await HandleProviderEventAsync(e);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            LogPumpFailed(logger, ex, CallId);
            if (_state == CallState.Active)
            {
                await EndCallAsync(CallEndReason.ProviderError, notifyGateway: true);
            }
        }
    }

    private async Task HandleProviderEventAsync(ProviderEvent e)
    {
        switch (e)
        {
            case AgentAudio audio:
                OnAgentAudio(audio);
                break;
            case AgentAudioDone done:
                OnAgentAudioDone(done.UtteranceId);
                break;
            case UserSpeechStarted started:
                await OnUserSpeechStartedAsync(started.ReceivedAtUtc);
                break;
            case UserSpeechStopped stopped:
                _turnEndedAtUtc = stopped.ReceivedAtUtc;
                CallTracing.Stop(_turnActivity, "superseded");
                _turnActivity = CallTracing.StartTurn(_callActivity, ++_turns, stopped.ReceivedAtUtc);
                break;
            case UserTranscript { IsFinal: true } user:
                AddTranscript("caller", user.Text);
                break;
            case AgentTranscript { IsFinal: true } agent:
                AddTranscript("agent", agent.Text);
                break;
            case SessionStarted started:
                LogSessionStarted(logger, CallId, _provider!, started.SessionId);
                break;
            case ProviderError error:
                _providerErrors++;
                metrics.ProviderError(_provider!, error.Kind.ToString());
                LogProviderError(logger, CallId, _provider!, error.Kind, error.Code, error.Message, error.Fatal);
                break;
            case ProviderLatency latency:
                metrics.ProviderLatency(_provider!, "total", latency.Total);
                if (latency.Think is { } think)
                {
                    metrics.ProviderLatency(_provider!, "think", think);
                }

                if (latency.Speak is { } speak)
                {
                    metrics.ProviderLatency(_provider!, "speak", speak);
                }

                break;
            case ProviderUsage usage:
                metrics.ProviderUsage(_provider!, usage.InputTokens, usage.CachedInputTokens, usage.OutputTokens, usage.Status);
                break;
            case ProviderReconnected reconnected:
                _providerReconnects++;
                metrics.ProviderReconnect(_provider!);
                LogProviderReconnected(logger, CallId, _provider!, reconnected.Attempt);
                break;
            case SessionEnded ended:
                LogSessionEnded(logger, CallId, _provider!, ended.Reason, ended.HangUp);
                if (ended.HangUp && _state == CallState.Active)
                {
                    await EndCallAsync(CallEndReason.AgentHangup, notifyGateway: true);
                }

                break;
        }
    }

    private void OnAgentAudio(AgentAudio audio)
    {
        if (_state != CallState.Active || _toCall is null || _framer is null)
        {
            return;
        }

        if (!_utterances.TryGetValue(audio.UtteranceId, out var utterance))
        {
            utterance = new Utterance(audio.UtteranceId, isGreeting: _utterances.Count == 0 && _turnEndedAtUtc is null, audio.ReceivedAtUtc);
            _utterances[audio.UtteranceId] = utterance;
            _framer.Reset();
            _toCall.Reset();
            _playingUtteranceId = audio.UtteranceId;
        }

        if (utterance.Interrupted)
        {
            return;
        }

        var converted = ArrayPool<byte>.Shared.Rent(_toCall.GetMaxOutputBytes(audio.Audio.Length));
        try
        {
            var convertedBytes = _toCall.Convert(audio.Audio.Span, converted);
            var frameBytes = _framer.GetOutputBytes(convertedBytes);
            if (frameBytes == 0)
            {
                _framer.Write(converted.AsSpan(0, convertedBytes), []);
                return;
            }

            // The stream event owns its bytes (it is queued and serialized after this returns).
            var frames = new byte[frameBytes];
            _framer.Write(converted.AsSpan(0, convertedBytes), frames);
            PublishChunk(utterance, frames, audio.ReceivedAtUtc);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(converted);
        }
    }

    private void OnAgentAudioDone(int utteranceId)
    {
        if (_state != CallState.Active || _framer is null || !_utterances.TryGetValue(utteranceId, out var utterance) || utterance.Interrupted)
        {
            return;
        }

        // The resampler's filter tail and the framer's remainder (padded with silence) end the utterance.
        var tail = ArrayPool<byte>.Shared.Rent(_toCall!.MaxFlushBytes + _framer.FrameBytes * 2);
        try
        {
            var tailBytes = _toCall.Flush(tail);
            var frameBytes = _framer.GetOutputBytes(tailBytes);
            var last = new byte[frameBytes + (_framer.Buffered + tailBytes > frameBytes ? _framer.FrameBytes : 0)];
            var written = _framer.Write(tail.AsSpan(0, tailBytes), last);
            written += _framer.Flush(last.AsSpan(written));
            if (written > 0)
            {
                PublishChunk(utterance, last, DateTime.UtcNow);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(tail);
        }

        Publish(new AgentUtteranceDone(NextSequence(), utteranceId));
    }

    private void PublishChunk(Utterance utterance, byte[] frames, DateTime receivedAtUtc)
    {
        _chunksOut++;
        _bytesOut += frames.Length;
        metrics.AgentChunk(_provider!, frames.Length);
        Publish(new AgentAudioChunk(NextSequence(), utterance.Id, frames, receivedAtUtc));
    }

    /// <summary>
    /// Barge-in policy: stop the agent only when the caller really talks over it. An accepted barge-in flushes what is
    /// playing (the played milliseconds come back in the gateway's Flushed report and reach the provider then) and
    /// cancels the answer in progress at once, even one whose audio has not arrived or started playing yet.
    /// </summary>
    private async Task OnUserSpeechStartedAsync(DateTime atUtc)
    {
        if (!_utterances.TryGetValue(_playingUtteranceId, out var playing) || playing.Interrupted || playing.PlayoutEndedUtc is not null)
        {
            playing = null; // the agent is silent, but an answer may be on its way
        }

        var bargeIn = options.CurrentValue.BargeIn;
        string? suppressedBy = null;
        if (!bargeIn.Enabled)
        {
            suppressedBy = "disabled";
        }
        else if (playing is null ? _utterances.Count == 0 && _turnEndedAtUtc is null // the greeting is asked for, not yet heard
                 : playing.IsGreeting && (playing.PlayoutStartedUtc is null || atUtc - playing.PlayoutStartedUtc < TimeSpan.FromMilliseconds(bargeIn.GreetingProtectionMs)))
        {
            suppressedBy = "greeting_protection";
        }
        else if (_lastPlayoutEndedUtc is { } ended && atUtc - ended < TimeSpan.FromMilliseconds(bargeIn.EchoGuardMs))
        {
            suppressedBy = "echo_guard";
        }

        if (playing is null)
        {
            // Nothing audible to interrupt: an ordinary turn, unless an answer is being generated (the provider knows).
            if (suppressedBy is null && await CancelProviderResponseAsync())
            {
                _bargeIns++;
                metrics.BargeIn(_provider!, null);
                LogBargeInBeforePlayout(logger, CallId);
            }

            return;
        }

        metrics.BargeIn(_provider!, suppressedBy);
        if (suppressedBy is not null)
        {
            LogBargeInSuppressed(logger, CallId, playing.Id, suppressedBy);
            return;
        }

        playing.Interrupted = true;
        _bargeIns++;
        _framer?.Reset();
        _toCall?.Reset();
        LogBargeIn(logger, CallId, playing.Id);
        Publish(new FlushPlayout(NextSequence(), playing.Id));
        await CancelProviderResponseAsync();
    }

    /// <summary>Asks the provider to stop the answer in progress; false when there was none (or the call is over).</summary>
    private async Task<bool> CancelProviderResponseAsync()
    {
        if (_session is null || _state != CallState.Active)
        {
            return false;
        }

        try
        {
            return await _session.CancelResponseAsync(_callCancellation.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogProviderCallFailed(logger, ex, CallId, "cancel response");
            return false;
        }
    }

    private void EndPlayout(Utterance utterance, DateTime atUtc)
    {
        utterance.PlayoutEndedUtc = atUtc;
        _lastPlayoutEndedUtc = atUtc;
        if (_playingUtteranceId == utterance.Id)
        {
            _playingUtteranceId = 0;
        }

        // Keep only utterances that may still get reports.
        if (_utterances.Count > 32)
        {
            foreach (var id in _utterances.Where(u => u.Value.PlayoutEndedUtc is not null).Select(u => u.Key).ToList())
            {
                _utterances.Remove(id);
            }
        }
    }

    private void MeasureResponseLatency(Utterance utterance, DateTime playoutStartedUtc)
    {
        if (utterance.IsGreeting && !_greetingMeasured && _startedAtUtc is { } started)
        {
            _greetingMeasured = true;
            metrics.GreetingLatency(_provider!, playoutStartedUtc - started);
            return;
        }

        if (_turnEndedAtUtc is { } turnEnded && utterance.FirstAudioUtc >= turnEnded)
        {
            var latency = playoutStartedUtc - turnEnded;
            _turnEndedAtUtc = null;
            metrics.TurnResponse(_provider!, latency);
            CallTracing.Stop(_turnActivity, "answered", playoutStartedUtc);
            _turnActivity = null;
            if (_turnLatenciesMs.Count < LatencyLimit)
            {
                _turnLatenciesMs.Add(Math.Round(latency.TotalMilliseconds, 1));
            }

            LogTurnLatency(logger, CallId, _provider!, latency.TotalMilliseconds);
        }
    }

    private async Task EndCallAsync(CallEndReason reason, bool notifyGateway)
    {
        if (_state is CallState.Ended or CallState.New)
        {
            return;
        }

        var wasActive = _state == CallState.Active;
        _state = CallState.Ended;
        _endedAtUtc = DateTime.UtcNow;
        _endReason = reason;
        if (notifyGateway)
        {
            Publish(new CallEnding(NextSequence(), reason, DrainPlayout: reason == CallEndReason.AgentHangup));
        }

        _outbound.Writer.TryComplete();
        _watchdog?.Dispose();
        if (_session is { } session)
        {
            using var stopTimeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await session.StopAsync(stopTimeout.Token);
                await session.DisposeAsync();
            }
            catch (Exception ex)
            {
                LogProviderCallFailed(logger, ex, CallId, "stop");
            }
        }

        await _callCancellation.CancelAsync();
        if (_publisher is not null)
        {
            try
            {
                // Let the CallEnding event reach the gateway before the activation goes away.
                await _publisher.WaitAsync(StopTimeout);
            }
            catch (TimeoutException)
            {
            }
        }

        ReportCallerFrameCounters();
        if (wasActive || _provider is not null)
        {
            metrics.CallEnded(_provider ?? "none", reason.ToString());
        }

        LogCallEnded(logger, CallId, _provider, reason, _sequence.Delivered, _chunksOut);
        CallTracing.Stop(_turnActivity, "call_ended");
        CallTracing.Stop(_callActivity, reason.ToString(), status: reason == CallEndReason.ProviderError ? ActivityStatusCode.Error : ActivityStatusCode.Ok);
        _turnActivity = _callActivity = null;
        GrainFactory.GetGrain<ICallDirectoryGrain>(0).UnregisterAsync(CallId, _endedAtUtc.Value).Ignore();
        await WriteRecordAsync();
        DeactivateOnIdle();
    }

    private Task WatchdogAsync(CancellationToken cancellationToken)
    {
        ReportCallerFrameCounters();
        if (_state == CallState.Active && DateTime.UtcNow - _lastCallerAudioUtc > GatewayLostAfter)
        {
            return EndCallAsync(CallEndReason.GatewayLost, notifyGateway: true);
        }

        if (_state == CallState.Active && _startedAtUtc is { } started)
        {
            GrainFactory.GetGrain<ICallDirectoryGrain>(0).RegisterAsync(new CallListing(CallId, _provider!, started, null)).Ignore();
        }

        return Task.CompletedTask;
    }

    /// <summary>Adds the frame counters accumulated since the last report to the metrics (not per frame: cheap).</summary>
    private void ReportCallerFrameCounters()
    {
        if (_provider is null)
        {
            return;
        }

        var frames = _sequence.Delivered - _reportedFrames;
        var lost = _sequence.Lost - _reportedLost;
        var late = _sequence.OutOfOrder + _sequence.Duplicates - _reportedLate;
        _reportedFrames += frames;
        _reportedLost += lost;
        _reportedLate += late;
        metrics.CallerFrames(_provider, frames, lost, late);
    }

    private long NextSequence() => ++_outboundSequence;

    private void Publish(AgentStreamEvent e) => _outbound.Writer.TryWrite(e);

    /// <summary>Publishes stream events one at a time, in order, on the grain scheduler.</summary>
    private async Task PublishOutboundAsync()
    {
        await foreach (var e in _outbound.Reader.ReadAllAsync())
        {
            try
            {
                await _stream!.OnNextAsync(e);
            }
            catch (Exception ex)
            {
                LogPublishFailed(logger, ex, CallId, e.Sequence);
            }
        }
    }

    private void AddTranscript(string role, string text)
    {
        if (_transcript.Count >= TranscriptLimit)
        {
            _transcript.RemoveAt(0);
        }

        _transcript.Add(new TranscriptLine(DateTime.UtcNow, role, text));
    }

    private async Task WriteRecordAsync()
    {
        try
        {
            record.State.Snapshot = Snapshot();
            await record.WriteStateAsync();
        }
        catch (Exception ex)
        {
            LogRecordWriteFailed(logger, ex, CallId);
        }
    }

    private sealed class Utterance(int id, bool isGreeting, DateTime firstAudioUtc)
    {
        public int Id { get; } = id;

        public bool IsGreeting { get; } = isGreeting;

        public DateTime FirstAudioUtc { get; } = firstAudioUtc;

        public DateTime? PlayoutStartedUtc { get; set; }

        public DateTime? PlayoutEndedUtc { get; set; }

        public bool Interrupted { get; set; }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Call {CallId} started on {Provider}: caller {CallFormat}, replies {PlayoutFormat}, provider in {InputFormat} out {OutputFormat}, gateway {GatewayId}")]
    private static partial void LogCallStarted(ILogger logger, Guid callId, string provider, AudioFormat callFormat, AudioFormat playoutFormat, AudioFormat inputFormat, AudioFormat outputFormat, string gatewayId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Call {CallId} ended ({Reason}) on {Provider}: {FramesIn} caller frames, {ChunksOut} agent chunks")]
    private static partial void LogCallEnded(ILogger logger, Guid callId, string? provider, CallEndReason reason, long framesIn, long chunksOut);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error, Message = "Call {CallId} could not start its {Provider} session")]
    private static partial void LogStartFailed(ILogger logger, Exception exception, Guid callId, string provider);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Call {CallId}: {Provider} session {SessionId} started")]
    private static partial void LogSessionStarted(ILogger logger, Guid callId, string provider, string? sessionId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Call {CallId}: {Provider} session ended ({Reason}), hang up: {HangUp}")]
    private static partial void LogSessionEnded(ILogger logger, Guid callId, string provider, string reason, bool hangUp);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Call {CallId}: {Provider} error {Kind} {Code}: {Message} (fatal: {Fatal})")]
    private static partial void LogProviderError(ILogger logger, Guid callId, string provider, ProviderErrorKind kind, string code, string message, bool fatal);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "Call {CallId}: {Provider} session reconnected (attempt {Attempt})")]
    private static partial void LogProviderReconnected(ILogger logger, Guid callId, string provider, int attempt);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Information, Message = "Call {CallId}: barge-in, agent utterance {UtteranceId} flushed")]
    private static partial void LogBargeIn(ILogger logger, Guid callId, int utteranceId);

    [LoggerMessage(EventId = 2017, Level = LogLevel.Information, Message = "Call {CallId}: barge-in before the answer played, response cancelled")]
    private static partial void LogBargeInBeforePlayout(ILogger logger, Guid callId);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Debug, Message = "Call {CallId}: caller speech over utterance {UtteranceId} ignored ({Reason})")]
    private static partial void LogBargeInSuppressed(ILogger logger, Guid callId, int utteranceId, string reason);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Call {CallId}: {Provider} turn latency {LatencyMs:0.0} ms")]
    private static partial void LogTurnLatency(ILogger logger, Guid callId, string provider, double latencyMs);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Information, Message = "Call {CallId}: DTMF {Digit}")]
    private static partial void LogDtmf(ILogger logger, Guid callId, char digit);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Call {CallId}: caller audio could not be forwarded")]
    private static partial void LogCallerAudioFailed(ILogger logger, Exception exception, Guid callId);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Call {CallId}: provider call '{Operation}' failed")]
    private static partial void LogProviderCallFailed(ILogger logger, Exception exception, Guid callId, string operation);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Error, Message = "Call {CallId}: provider event pump failed")]
    private static partial void LogPumpFailed(ILogger logger, Exception exception, Guid callId);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning, Message = "Call {CallId}: stream event {Sequence} could not be published")]
    private static partial void LogPublishFailed(ILogger logger, Exception exception, Guid callId, long sequence);

    [LoggerMessage(EventId = 2016, Level = LogLevel.Warning, Message = "Call {CallId}: call record could not be written")]
    private static partial void LogRecordWriteFailed(ILogger logger, Exception exception, Guid callId);
}

internal static class PersistentStateExtensions
{
    public static CallSnapshot? Snapshot(this IPersistentState<CallRecord> state) => state.RecordExists ? state.State.Snapshot : null;
}
