using System.Diagnostics;
using AiAgent.Grains.Audio;
using AiAgent.Grains.Configuration;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;
using Orleans.Placement;

namespace AiAgent.Grains.Calls;

/// <summary>
/// One live call: a shell over its lifecycle and the parts that do the work. It owns the provider session and wires
/// caller audio through <see cref="CallerAudioPath"/>, agent audio through <see cref="AgentAudioPath"/> (published in
/// order by <see cref="AgentStreamPublisher"/>), the caller's speech through <see cref="BargeInHandler"/>, playout
/// reports into <see cref="PlayoutTracker"/> and <see cref="TurnLatencyTracker"/>, and the conversation into
/// <see cref="CallRecorder"/>, which persists it at start, at every turn's end and at hang-up.
/// </summary>
/// <remarks>
/// Not reentrant: the provider's socket I/O runs off the grain scheduler inside the session; its events are read by
/// a pump that runs on this activation's scheduler, so all state is touched by one thread at a time.
/// Immovable: the activation holds a live provider WebSocket, so the rebalancer must not migrate it.
/// </remarks>
[Immovable]
public sealed class CallGrain(
    IEnumerable<IAgentProvider> providers,
    IOptionsMonitor<AgentOptions> options,
    CallMetrics metrics,
    TimeProvider time,
    [PersistentState(CallStorage.RecordStateName, CallStorage.Name)] IPersistentState<CallRecord> record,
    ILogger<CallGrain> logger) : Grain, ICallGrain
{
    /// <summary>Caller audio silent this long (no messages at all) means the gateway is gone.</summary>
    private static readonly TimeSpan GatewayLostAfter = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan WatchdogPeriod = CallPresence.HeartbeatPeriod; // each tick re-announces the call
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _callCancellation = new();
    private readonly PlayoutTracker _playout = new();
    private CallRecorder _recorder = null!; // opened in OnActivateAsync, from the persisted record

    private CallState _state = CallState.New;
    private CallStartRequest? _request;
    private AudioFormat _playoutFormat;
    private DateTime? _startedAtUtc;
    private DateTime? _endedAtUtc;
    private CallEndReason? _endReason;
    private CallDisposition? _disposition;
    private CallContext? _call;
    private IAgentSession? _session;
    private AgentStreamPublisher? _publisher;
    private CallerAudioPath? _callerAudio;
    private AgentAudioPath? _agentAudio;
    private BargeInHandler? _bargeIn;
    private TurnLatencyTracker? _latency;
    private PlayoutReportHandler? _playoutReports;
    private ProviderEventTelemetry? _telemetry;
    private CallPresence? _presence;
    private Activity? _callActivity;
    private IGrainTimer? _watchdog;

    private Guid CallId => this.GetPrimaryKey();

    private CancellationToken CallToken => _callCancellation.Token;

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _recorder = new CallRecorder(record, time, logger, CallId);
        if (_recorder.Saved?.State == CallState.Ended)
        {
            // An ended call stays ended: a late or repeated StartAsync must not bring it back.
            _state = CallState.Ended;
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
        if (_state == CallState.Active && _call is not null)
        {
            // A gateway retrying StartAsync: the call is already up.
            return new CallStarted(_call.Provider, _playoutFormat);
        }

        var playout = CallStartValidation.Validate(CallId, _state, request);
        var provider = CallStartValidation.SelectProvider(providers, options.CurrentValue.DefaultProvider);

        _state = CallState.Connecting;
        _request = request;
        _playoutFormat = playout;
        _startedAtUtc = time.GetUtcNow().UtcDateTime;
        var call = _call = new CallContext(CallId, provider.Name, metrics, logger, time);
        _callActivity = CallTracing.StartCall(CallId, provider.Name, request.Format.ToString());
        var stream = this.GetStreamProvider(CallStreams.ProviderName).GetStream<AgentStreamEvent>(CallStreams.AgentOutput(CallId));
        _publisher = new AgentStreamPublisher(stream, call);

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = CallId });
        var session = provider.CreateSession(new AgentSessionContext(CallId, request.Format));
        try
        {
            _callerAudio = new CallerAudioPath(AudioConverter.Create(request.Format, session.Formats.Input), session, call);
            _agentAudio = new AgentAudioPath(AudioConverter.Create(session.Formats.Output, playout), new AudioFramer(playout, request.FrameDuration), _playout, _publisher, call);
            _bargeIn = new BargeInHandler(_playout, _agentAudio, session, options, call);
            _latency = new TurnLatencyTracker(call, _startedAtUtc.Value, _callActivity);
            _playoutReports = new PlayoutReportHandler(_playout, _latency, session, call);
            _telemetry = new ProviderEventTelemetry(call);
            _session = session;
            _ = PumpProviderEventsAsync(session);
            await session.StartAsync(CallToken);
        }
        catch (Exception ex)
        {
            CallLog.StartFailed(logger, ex, CallId, provider.Name);
            metrics.CallStarted(provider.Name);
            await EndCallAsync(CallEndReason.ProviderError, notifyGateway: false);
            throw new InvalidOperationException($"call {CallId} could not start its '{provider.Name}' session: {ex.Message}");
        }

        _state = CallState.Active;
        metrics.CallStarted(provider.Name);
        CallLog.CallStarted(logger, CallId, provider.Name, request.Format, playout, session.Formats.Input, session.Formats.Output, request.GatewayId);
        _watchdog = this.RegisterGrainTimer(WatchdogAsync, new GrainTimerCreationOptions(WatchdogPeriod, WatchdogPeriod) { Interleave = true });
        _presence = new CallPresence(ServiceProvider.GetRequiredService<LocalCallRegistry>(), Listing);
        _presence.Announce();
        await _recorder.SaveAsync(Snapshot());
        return new CallStarted(provider.Name, playout);
    }

    /// <inheritdoc/>
    [NoProfiling] // 50 calls/s per call: profiling it would swamp the dashboard
    public Task PushCallerAudioAsync(CallerAudio audio) =>
        _state == CallState.Active && _callerAudio is { } path ? path.PushAsync(audio, CallToken) : Task.CompletedTask;

    /// <inheritdoc/>
    public async Task SendDtmfAsync(char digit)
    {
        if (_state != CallState.Active || _session is null)
        {
            return;
        }

        _recorder.DtmfPressed(digit);
        CallLog.Dtmf(logger, CallId, digit);
        await _session.SendDtmfAsync(digit, CallToken);
    }

    /// <inheritdoc/>
    [NoProfiling]
    public async Task ReportPlayoutAsync(PlayoutReport report)
    {
        await (_playoutReports?.OnReportAsync(report, _state == CallState.Active, CallToken) ?? Task.CompletedTask);
        _presence?.Announce(); // a turn's latency is measured here: the directory shows it at once
    }

    /// <inheritdoc/>
    public Task HangupAsync(CallEndReason reason) => EndCallAsync(reason, notifyGateway: false);

    /// <inheritdoc/>
    public async Task<bool> EndAsync(CallDisposition disposition)
    {
        ArgumentNullException.ThrowIfNull(disposition);
        if (_state != CallState.Active)
        {
            return false;
        }

        // The platform ends it as the agent does: the gateway plays out what was queued, then sends the hangup frame.
        _disposition = disposition;
        await EndCallAsync(CallEndReason.AgentHangup, notifyGateway: true);
        return true;
    }

    /// <inheritdoc/>
    public Task<CallSnapshot> GetSnapshotAsync() =>
        Task.FromResult(_startedAtUtc is null && _recorder.Saved is { } saved ? saved : Snapshot());

    private CallListing Listing()
    {
        var latencies = _latency?.LatenciesMs;
        return new CallListing(CallId, _call?.Provider ?? "none", _startedAtUtc ?? default, _state, _request?.Format ?? default, _request?.GatewayId,
            latencies?.Count ?? 0, latencies is { Count: > 0 } ? latencies[^1] : null);
    }

    private CallSnapshot Snapshot()
    {
        var frames = _callerAudio?.Frames;
        return new CallSnapshot(
            CallId,
            _state,
            _call?.Provider,
            _request?.Format ?? default,
            _session?.Formats.Input,
            _session?.Formats.Output,
            _startedAtUtc,
            _endedAtUtc,
            _endReason,
            new CallCounters(frames?.Delivered ?? 0, frames?.Lost ?? 0, frames?.OutOfOrder ?? 0, frames?.Duplicates ?? 0,
                _agentAudio?.ChunksOut ?? 0, _agentAudio?.BytesOut ?? 0, _bargeIn?.BargeIns ?? 0,
                _telemetry?.Errors ?? 0, _telemetry?.Reconnects ?? 0, _recorder.DtmfDigits),
            [.. _latency?.LatenciesMs ?? []],
            [.. _recorder.Transcript],
            _request?.GatewayId,
            _disposition);
    }

    /// <summary>Reads provider events on the grain scheduler until the session ends.</summary>
    private async Task PumpProviderEventsAsync(IAgentSession session)
    {
        try
        {
            await foreach (var e in session.Events.ReadAllAsync(CallToken))
            {
                await HandleProviderEventAsync(e);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            CallLog.PumpFailed(logger, ex, CallId);
            if (_state == CallState.Active)
            {
                await EndCallAsync(CallEndReason.ProviderError, notifyGateway: true);
            }
        }
    }

    private async Task HandleProviderEventAsync(ProviderEvent e)
    {
        _telemetry!.Record(e);
        var active = _state == CallState.Active;
        switch (e)
        {
            case AgentAudio audio when active:
                _agentAudio!.Write(audio.UtteranceId, audio.Audio.Span, audio.ReceivedAtUtc);
                break;
            case AgentAudioDone done when active:
                _agentAudio!.Finish(done.UtteranceId);
                break;
            case UserSpeechStarted started when active:
                await _bargeIn!.OnCallerSpeechStartedAsync(started.ReceivedAtUtc, CallToken);
                break;
            case UserSpeechStopped stopped:
                _playout.OnCallerTurnEnded();
                _latency!.OnCallerTurnEnded(stopped.ReceivedAtUtc);
                break;
            case UserTranscript { IsFinal: true } user:
                _recorder.CallerSaid(user.Text);
                break;
            case AgentTranscript { IsFinal: true } agent:
                // The agent finished its answer: a turn's end, when the record is saved (in the background).
                _recorder.AgentSaid(agent.Text);
                _recorder.Save(Snapshot());
                break;
            case SessionEnded { HangUp: true } ended when active:
                await EndCallAsync(ended.Failed ? CallEndReason.ProviderError : CallEndReason.AgentHangup, notifyGateway: true);
                break;
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
        _endedAtUtc = time.GetUtcNow().UtcDateTime;
        _endReason = reason;
        _disposition ??= CallDisposition.ForEndReason(reason);
        if (notifyGateway)
        {
            _publisher?.CallEnding(reason, drainPlayout: reason == CallEndReason.AgentHangup);
        }

        _publisher?.Complete();
        _watchdog?.Dispose();
        if (_session is { } session)
        {
            using var stopTimeout = new CancellationTokenSource(StopTimeout, time);
            try
            {
                await session.StopAsync(stopTimeout.Token);
                await session.DisposeAsync();
            }
            catch (Exception ex)
            {
                CallLog.ProviderCallFailed(logger, ex, CallId, "stop");
            }
        }

        await _callCancellation.CancelAsync();
        if (_publisher is not null)
        {
            // Let the CallEnding event reach the gateway before the activation goes away.
            await _publisher.DrainAsync(StopTimeout);
        }

        _callerAudio?.ReportCounters();
        if (wasActive || _call is not null)
        {
            metrics.CallEnded(_call?.Provider ?? "none", reason.ToString());
        }

        CallLog.CallEnded(logger, CallId, _call?.Provider, reason, _callerAudio?.Frames.Delivered ?? 0, _agentAudio?.ChunksOut ?? 0);
        _latency?.OnCallEnded();
        CallTracing.Stop(_callActivity, reason.ToString(), status: reason == CallEndReason.ProviderError ? ActivityStatusCode.Error : ActivityStatusCode.Ok);
        _callActivity = null;
        _presence?.Withdraw(_endedAtUtc.Value);
        await _recorder.SaveAsync(Snapshot());
        DeactivateOnIdle();
    }

    private Task WatchdogAsync(CancellationToken cancellationToken)
    {
        _callerAudio?.ReportCounters();
        if (_state == CallState.Active && _callerAudio is { } caller && time.GetUtcNow().UtcDateTime - caller.LastAudioUtc > GatewayLostAfter)
        {
            return EndCallAsync(CallEndReason.GatewayLost, notifyGateway: true);
        }

        if (_state == CallState.Active)
        {
            _presence?.Announce(); // the heartbeat: the directory heals if its silo was lost
        }

        return Task.CompletedTask;
    }
}
