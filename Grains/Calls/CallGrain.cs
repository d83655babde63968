using System.Diagnostics;
using AiAgent.Grains.Audio;
using AiAgent.Grains.Configuration;
using AiAgent.Grains.Interfaces.Asterisk;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Tools;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Dashboard;
using Orleans.Placement;

namespace AiAgent.Grains.Calls;

/// <summary>
/// One activation of a live call: a shell over its lifecycle and the parts that do the work. It owns the provider
/// session and wires caller audio through <see cref="CallerAudioPath"/>, agent audio through <see cref="AgentAudioPath"/>
/// (sent in order to the gateway by <see cref="AgentOutputPublisher"/>), the caller's speech through
/// <see cref="BargeInHandler"/>, playout reports into <see cref="PlayoutTracker"/> and <see cref="TurnLatencyTracker"/>,
/// and the conversation into <see cref="CallRecorder"/>, which persists it at start, at every turn's end and at hang-up.
/// </summary>
/// <remarks>
/// <para>Keyed by call id and epoch (<see cref="CallGrainKeys"/>). An activation at a higher epoch than the record's
/// restores the call from it (its silo was lost or shut down) and claims the record on its ETag, so two activations never
/// both carry the call: the older one's next record write, or its next event to the gateway, is refused and it stops
/// quietly (docs/Architecture.md, "Failover").</para>
/// <para>Not reentrant: the provider's socket I/O runs off the grain scheduler inside the session; its events are read
/// by a pump that runs on this activation's scheduler, so all state is touched by one thread at a time.
/// Immovable: the activation holds a live provider WebSocket, so the rebalancer must not migrate it. Placed on the silo
/// that receives the attach: the gateway reaches the cluster through live silos only, so a restore never lands on the
/// silo just lost, which membership may still list as active.</para>
/// </remarks>
[Immovable, PreferLocalPlacement]
public sealed class CallGrain(
    IEnumerable<IAgentProvider> providers,
    IOptionsMonitor<AgentOptions> options,
    CallMetrics metrics,
    TimeProvider time,
    CallRecords records,
    ILogger<CallGrain> logger) : Grain, ICallGrain, ICallTransferParty
{
    /// <summary>Caller audio silent this long (no messages at all) means the gateway is gone.</summary>
    private static readonly TimeSpan GatewayLostAfter = TimeSpan.FromSeconds(60);

    /// <summary>A detached call waits this long for a gateway to attach again (the dialplan's reconnect loop).</summary>
    private static readonly TimeSpan ReattachWait = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan WatchdogPeriod = CallPresence.HeartbeatPeriod; // each tick re-announces the call
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan HandoverTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How often a pending farewell is checked besides on each playout report (its wait and backup deadline).</summary>
    private static readonly TimeSpan FarewellCheckPeriod = TimeSpan.FromMilliseconds(250);

    private readonly CancellationTokenSource _callCancellation = new();
    private readonly PlayoutTracker _playout = new();
    private CallRecorder _recorder = null!; // opened in OnActivateAsync, from the persisted record

    private int _epoch;
    private CallState _state = CallState.New;
    private CallStartRequest? _request;
    private AudioFormat _playoutFormat;
    private DateTime? _startedAtUtc;
    private DateTime? _endedAtUtc;
    private DateTime? _detachedAtUtc;
    private CallEndReason? _endReason;
    private CallDisposition? _disposition;
    private int _failovers;
    private int _attachment;
    private CallContext? _call;
    private IAgentSession? _session;
    private AgentOutputPublisher? _publisher;
    private CallerAudioPath? _callerAudio;
    private AgentAudioPath? _agentAudio;
    private BargeInHandler? _bargeIn;
    private TurnLatencyTracker? _latency;
    private PlayoutReportHandler? _playoutReports;
    private ProviderEventTelemetry? _telemetry;
    private CallPresence? _presence;
    private Activity? _callActivity;
    private IGrainTimer? _watchdog;
    private FarewellEnd? _farewell;
    private IGrainTimer? _farewellTimer;
    private WarmTransferTarget? _warmTransfer;

    private Guid CallId => this.GetPrimaryKey(out _);

    private CancellationToken CallToken => _callCancellation.Token;

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _ = this.GetPrimaryKey(out var keyExtension);
        _epoch = CallGrainKeys.EpochOf(keyExtension);
        var store = records.Open(CallId);
        await store.ReadAsync();
        _recorder = new CallRecorder(store, time, logger, CallId, _epoch);
        _recorder.Fenced += OnSuperseded;
        if (_recorder.Saved?.State == CallState.Ended)
        {
            // An ended call stays ended: a late or repeated attach must not bring it back, nor a ping restore it.
            _state = CallState.Ended;
            _endedAtUtc = _recorder.Saved.EndedAtUtc ?? time.GetUtcNow().UtcDateTime;
        }

        await base.OnActivateAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_state is CallState.Active)
        {
            // The silo shuts down (a rolling update) or the runtime needs the activation gone: the call is not over,
            // it moves. Hand it to the gateway to restore at the next epoch on another silo.
            await HandOverAsync();
        }
        else if (_state is CallState.Connecting)
        {
            await EndCallAsync(CallEndReason.Shutdown, notifyGateway: true);
        }

        _watchdog?.Dispose();
        _farewellTimer?.Dispose();
        _callCancellation.Dispose();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<CallAttached> AttachAsync(CallAttachRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        switch (_state)
        {
            case CallState.Active:
                return Reattach(request);
            case CallState.Ended:
                return new CallAttached(CallAttachOutcome.Ended, _epoch, null, default);
            case CallState.Connecting:
                // Not reentrant, so only reached after a failed start left the activation behind: let the gateway move on.
                return new CallAttached(CallAttachOutcome.Superseded, _epoch, null, default);
        }

        if (_recorder.Record is { } record && record.Epoch >= _epoch)
        {
            // This epoch already carried the call and was lost (this is a fresh activation of its key), or a newer
            // one carries it: the gateway attaches there or restores at the next epoch.
            CallLog.AttachSuperseded(logger, CallId, _epoch, record.Epoch);
            return new CallAttached(CallAttachOutcome.Superseded, record.Epoch, null, default);
        }

        return await StartAsync(request, restoring: _recorder.Record is not null);
    }

    /// <inheritdoc/>
    [NoProfiling] // 50 calls/s per call: profiling it would swamp the dashboard
    public Task PushCallerAudioAsync(CallerAudio audio) =>
        _state == CallState.Active && _callerAudio is { } path && IsCurrent(audio.Attachment) ? path.PushAsync(audio, CallToken) : Task.CompletedTask;

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
        await CheckFarewellAsync();
    }

    /// <inheritdoc/>
    public Task HangupAsync(CallEndReason reason, int attachment = 0) =>
        IsCurrent(attachment) ? EndCallAsync(reason, notifyGateway: false) : Task.CompletedTask;

    /// <inheritdoc/>
    public Task DetachAsync(int attachment)
    {
        if (_state == CallState.Active && _detachedAtUtc is null && IsCurrent(attachment))
        {
            _detachedAtUtc = time.GetUtcNow().UtcDateTime;
            _publisher?.Retarget(null);
            CallLog.CallDetached(logger, CallId, _epoch, ReattachWait.TotalSeconds);
        }

        return Task.CompletedTask;
    }

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
    public async Task WarmTransferAnsweredAsync()
    {
        if (_state == CallState.Active && _warmTransfer is { } target)
        {
            CallLog.WarmTransferAnswered(logger, CallId, target.Destination);
            await InstructAsync(WarmTransferPrompts.Briefing(target.Destination));
        }
    }

    /// <inheritdoc/>
    public async Task WarmTransferEndedAsync(WarmTransferOutcome outcome)
    {
        if (_state != CallState.Active || _warmTransfer is not { } target)
        {
            return;
        }

        CallLog.WarmTransferEnded(logger, CallId, target.Destination, outcome);
        metrics.WarmTransfer(_call!.Provider, outcome);
        _warmTransfer = null;
        if (outcome == WarmTransferOutcome.Accepted)
        {
            // Caller and human are bridged: the agent's leg goes, the record says where the caller went.
            _disposition = CallDisposition.TransferTo(target.Destination);
            await EndCallAsync(CallEndReason.AgentHangup, notifyGateway: true);
            return;
        }

        // The caller is back with the agent: the conversation goes on, and the agent says what happened.
        _farewell = null;
        await InstructAsync(WarmTransferPrompts.Returned(target.Destination, outcome));
    }

    private async Task InstructAsync(string instruction)
    {
        try
        {
            if (_session is null || !await _session.InstructAsync(instruction, CallToken))
            {
                CallLog.InstructionNotTaken(logger, CallId, _call?.Provider);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            CallLog.ProviderCallFailed(logger, ex, CallId, "instruct");
        }
    }

    /// <inheritdoc/>
    public Task<CallLiveness> PingAsync(int attachment) => Task.FromResult(
        _endedAtUtc is not null ? CallLiveness.Ended
        : _state != CallState.Active ? CallLiveness.NotCarried
        : IsCurrent(attachment) ? CallLiveness.Live
        : CallLiveness.Moved);

    /// <summary>True for the connection holding the current attachment, or for a caller that names none (0).</summary>
    private bool IsCurrent(int attachment) => attachment == 0 || attachment == _attachment;

    /// <inheritdoc/>
    public Task<CallSnapshot> GetSnapshotAsync() =>
        Task.FromResult(_startedAtUtc is null && _recorder.Saved is { } saved ? saved : Snapshot());

    private async Task<CallAttached> StartAsync(CallAttachRequest attach, bool restoring)
    {
        var request = attach.Start;
        var playout = CallStartValidation.Validate(CallId, _state, request);
        var saved = restoring ? _recorder.Saved : null;
        var provider = CallStartValidation.SelectProvider(providers, saved?.Provider, options.CurrentValue.DefaultProvider);

        _state = CallState.Connecting;
        _attachment = 1;
        _request = request;
        _playoutFormat = playout;
        _startedAtUtc = saved?.StartedAtUtc ?? time.GetUtcNow().UtcDateTime;
        _failovers = (saved?.Failovers ?? 0) + (restoring ? 1 : 0);
        if (restoring)
        {
            _recorder.ContinueFromRecord();
        }

        // Claim the call before opening a provider session: only one activation may carry it.
        if (!await _recorder.ClaimAsync(request, Snapshot()))
        {
            _state = CallState.New;
            var newer = _recorder.Record?.Epoch ?? _epoch;
            CallLog.AttachSuperseded(logger, CallId, _epoch, newer);
            DeactivateOnIdle();
            return new CallAttached(CallAttachOutcome.Superseded, newer, null, default);
        }

        var call = _call = new CallContext(CallId, provider.Name, metrics, logger, time);
        _callActivity = CallTracing.StartCall(CallId, provider.Name, request.Format.ToString());
        _publisher = new AgentOutputPublisher(attach.Output, _epoch, call);
        _publisher.Refused += OnSuperseded;

        using var scope = logger.BeginScope(new Dictionary<string, object> { ["CallId"] = CallId });
        var tools = await ServiceProvider.GetRequiredService<ToolRegistry>().CreateToolSetAsync(CallId, CallToken);
        var session = provider.CreateSession(new AgentSessionContext(CallId, request.Format)
        {
            PriorConversation = restoring ? [.. _recorder.Transcript] : [],
            ResumedWithoutHistory = restoring,
            Tools = tools,
        });
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
        if (restoring)
        {
            metrics.CallMovedIn(provider.Name);
            metrics.Failover(provider.Name, attach.Reason == CallAttachReason.Handover ? "silo_drained" : "silo_lost");
            CallLog.CallRestored(logger, CallId, _epoch, provider.Name, _recorder.Transcript.Count, request.GatewayId);
        }
        else
        {
            metrics.CallStarted(provider.Name);
            CallLog.CallStarted(logger, CallId, provider.Name, request.Format, playout, session.Formats.Input, session.Formats.Output, request.GatewayId);
        }

        _watchdog = this.RegisterGrainTimer(WatchdogAsync, new GrainTimerCreationOptions(WatchdogPeriod, WatchdogPeriod) { Interleave = true });
        _presence = new CallPresence(ServiceProvider.GetRequiredService<LocalCallRegistry>(), Listing);
        _presence.Announce();
        _recorder.Save(Snapshot());
        return new CallAttached(restoring ? CallAttachOutcome.Restored : CallAttachOutcome.Started, _epoch, provider.Name, playout) { Attachment = _attachment };
    }

    private CallAttached Reattach(CallAttachRequest attach)
    {
        if (!Equals(attach.Output, _publisher?.Target))
        {
            _publisher?.Retarget(attach.Output);
            _request = _request! with { GatewayId = attach.Start.GatewayId, RemoteEndpoint = attach.Start.RemoteEndpoint };
            _detachedAtUtc = null;
            _attachment++; // the connection before this one can no longer feed or end the call
            _callerAudio?.Restart();
            metrics.Failover(_call!.Provider, "gateway_reattach");
            CallLog.CallReattached(logger, CallId, _epoch, attach.Start.GatewayId);
            _recorder.Save(Snapshot());
        }

        return new CallAttached(CallAttachOutcome.Reattached, _epoch, _call!.Provider, _playoutFormat) { Attachment = _attachment };
    }

    private CallListing Listing()
    {
        var latencies = _latency?.LatenciesMs;
        return new CallListing(CallId, _call?.Provider ?? "none", _startedAtUtc ?? default, _state, _request?.Format ?? default, _request?.GatewayId,
            latencies?.Count ?? 0, latencies is { Count: > 0 } ? latencies[^1] : null)
        {
            Epoch = _epoch,
        };
    }

    private CallSnapshot Snapshot()
    {
        var frames = _callerAudio?.Frames;
        return new CallSnapshot(
            CallId,
            _state == CallState.Connecting ? CallState.Active : _state,
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
            _disposition)
        {
            Epoch = _epoch,
            Silo = RuntimeIdentity,
            Failovers = _failovers,
            ToolCalls = [.. _recorder.ToolCalls],
        };
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
                _farewell?.OnAgentAudio();
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
            case CallActionRequested requested when active:
                BeginFarewell(requested.Action);
                break;
            case ToolCallFinished tool:
                _recorder.ToolCalled(tool.Entry);
                _recorder.Save(Snapshot());
                break;
            case SessionEnded { HangUp: true } ended when active:
                await EndCallAsync(ended.Failed ? CallEndReason.ProviderError : CallEndReason.AgentHangup, notifyGateway: true);
                break;
        }
    }

    /// <summary>
    /// The agent asked to hang up or transfer: the call ends once its farewell has played out (<see cref="FarewellEnd"/>),
    /// checked on every playout report and by a short timer for the wait and the backup deadline.
    /// </summary>
    private void BeginFarewell(CallAction action)
    {
        var disposition = action switch
        {
            TransferAction transfer => CallDisposition.TransferTo(transfer.Destination),
            _ => CallDisposition.Hangup,
        };
        if (_farewell is not null)
        {
            CallLog.FarewellAlreadyPending(logger, CallId, disposition);
            return;
        }

        _farewell = new FarewellEnd(disposition, _playout, time.GetUtcNow().UtcDateTime);
        CallLog.FarewellAwaited(logger, CallId, disposition);
        _farewellTimer = this.RegisterGrainTimer(_ => CheckFarewellAsync(), new GrainTimerCreationOptions(FarewellCheckPeriod, FarewellCheckPeriod));
    }

    private async Task CheckFarewellAsync()
    {
        if (_farewell is not { } farewell || _state != CallState.Active || _warmTransfer is not null)
        {
            return; // nothing pending, or a warm transfer holds the call until the ARI call reports its outcome
        }

        var now = time.GetUtcNow().UtcDateTime;
        var verdict = farewell.Check(now);
        if (verdict == FarewellVerdict.Wait)
        {
            return;
        }

        _farewellTimer?.Dispose();
        if (await TryWarmTransferAsync(farewell.Disposition))
        {
            return;
        }

        CallLog.FarewellEnded(logger, CallId, farewell.Disposition, farewell.Elapsed(now).TotalMilliseconds, verdict);
        metrics.AgentAction(_call!.Provider, farewell.Disposition.Kind == CallDispositionKind.Transfer ? "transfer" : "hangup", FarewellOutcome(verdict));
        _disposition = farewell.Disposition;
        await EndCallAsync(CallEndReason.AgentHangup, notifyGateway: true);
    }

    /// <summary>
    /// In ARI mode a destination configured <c>warm</c> is handed to the ARI call to dial and brief; the call goes on
    /// (the agent briefs the human) until <see cref="WarmTransferEndedAsync"/>. False (transfer blind) otherwise, or when
    /// the ARI call cannot start one.
    /// </summary>
    private async Task<bool> TryWarmTransferAsync(CallDisposition disposition)
    {
        if (disposition.Kind != CallDispositionKind.Transfer
            || !ServiceProvider.GetRequiredService<IOptionsMonitor<Asterisk.AsteriskModeOptions>>().CurrentValue.UsesAri
            || ServiceProvider.GetRequiredService<IOptionsMonitor<TransferOptions>>().CurrentValue.Find(disposition.Destination)?.WarmTarget() is not { } target)
        {
            return false;
        }

        try
        {
            if (await GrainFactory.GetGrain<IAriCallGrain>(CallId).WarmTransferAsync(target, this.AsReference<ICallTransferParty>()))
            {
                _warmTransfer = target;
                CallLog.WarmTransferStarted(logger, CallId, target.Destination);
                return true;
            }

            CallLog.WarmTransferNotStarted(logger, CallId, target.Destination, "the ARI call is not in a state to transfer");
        }
        catch (Exception ex)
        {
            CallLog.WarmTransferNotStarted(logger, CallId, target.Destination, ex.GetType().Name, ex);
        }

        return false;
    }

    private static string FarewellOutcome(FarewellVerdict verdict) => verdict switch
    {
        FarewellVerdict.PlayedOut => "played_out",
        FarewellVerdict.NoFarewell => "no_farewell",
        _ => "deadline",
    };

    /// <summary>
    /// Leaves the call to the next epoch: the record saved as it stands (the fence for the next activation to claim),
    /// the gateway told to restore at once, the provider session closed. Not an end: nothing is counted as one.
    /// </summary>
    private async Task HandOverAsync()
    {
        CallLog.HandingOver(logger, CallId, _epoch, _epoch + 1);
        await _recorder.SaveAsync(Snapshot());
        _publisher?.Handover(_epoch + 1);
        await LeaveAsync(CallEndReason.Shutdown, HandoverTimeout);
    }

    /// <summary>A newer activation carries the call (the record or the gateway said so): stop without touching either.</summary>
    private void OnSuperseded()
    {
        if (_state is CallState.Active or CallState.Connecting)
        {
            _ = LeaveAsync(CallEndReason.Superseded, TimeSpan.Zero);
        }
    }

    /// <summary>Stops this activation's part of a call that goes on elsewhere.</summary>
    private async Task LeaveAsync(CallEndReason reason, TimeSpan drain)
    {
        _state = CallState.Ended;
        _endReason = reason;
        _watchdog?.Dispose();
        _publisher?.Complete();
        if (drain > TimeSpan.Zero && _publisher is not null)
        {
            await _publisher.DrainAsync(drain);
        }

        await StopSessionAsync();
        await _callCancellation.CancelAsync();
        if (_call is not null)
        {
            metrics.CallMovedOut(_call.Provider);
        }

        // Off this silo's list: the activation that carries the call on lists it on its own silo, at a higher epoch.
        _presence?.Withdraw(time.GetUtcNow().UtcDateTime);

        CallTracing.Stop(_callActivity, reason.ToString(), status: ActivityStatusCode.Ok);
        _callActivity = null;
        DeactivateOnIdle();
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

        // Record the end before the slow steps below (up to StopTimeout each): the disposition endpoint, a redial and a
        // gateway that missed the end all read the record, and while it still says Active they would take the call
        // for one to carry on. The final save below adds the counters.
        _recorder.Save(Snapshot());
        _publisher?.Complete();
        _watchdog?.Dispose();
        await StopSessionAsync();
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
        var final = Snapshot();
        await _recorder.SaveAsync(final);
        foreach (var sink in ServiceProvider.GetServices<IEndedCallSink>())
        {
            sink.OnCallEnded(final);
        }

        DeactivateOnIdle();
    }

    private async Task StopSessionAsync()
    {
        if (_session is not { } session)
        {
            return;
        }

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

    private Task WatchdogAsync(CancellationToken cancellationToken)
    {
        _callerAudio?.ReportCounters();
        if (_state != CallState.Active)
        {
            return Task.CompletedTask;
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (_detachedAtUtc is { } detached && now - detached > ReattachWait)
        {
            // Nobody attached again: the caller is gone (the dialplan did not loop back).
            return EndCallAsync(CallEndReason.GatewayLost, notifyGateway: false);
        }

        if (_detachedAtUtc is null && _callerAudio is { } caller && now - caller.LastAudioUtc > GatewayLostAfter)
        {
            return EndCallAsync(CallEndReason.GatewayLost, notifyGateway: true);
        }

        _presence?.Announce(); // the heartbeat: the directory heals if its silo was lost
        return Task.CompletedTask;
    }
}
