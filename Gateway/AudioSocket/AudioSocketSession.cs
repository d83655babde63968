using System.IO.Pipelines;
using AiAgent.Gateway.Playout;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// One AudioSocket connection from Asterisk, from its UUID to its close: the handshake, the format probe, the
/// call's attach to its <see cref="ICallGrain"/> (agent audio observed and paced), the caller's frames relayed
/// until someone hangs up, a restore on a live silo when the call's activation is lost or hands over, and a clean end
/// whatever the peer does.
/// </summary>
/// <remarks>
/// Asterisk tears the session down on anything we send but audio kinds and <c>00 00 00</c>; whenever we end the
/// call we send <c>00 00 00</c> before closing, since older Asterisk does not notice EOF (docs/protocols/asterisk.md).
/// </remarks>
internal sealed partial class AudioSocketSession(ConnectionContext connection, AudioSocketSessionContext context) : IDrainableCall
{
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long a detach may take before the socket closes anyway (a lost silo does not answer).</summary>
    private static readonly TimeSpan s_detachTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long the hangup frame waits for the grain to take the hang-up (a provider's close can take seconds).</summary>
    private static readonly TimeSpan s_hangupBeforeFrame = TimeSpan.FromMilliseconds(300);

    /// <summary>How long a call its grain has ended waits for the grain's end event before it hangs up on its own.</summary>
    private static readonly TimeSpan s_endEventGrace = TimeSpan.FromSeconds(3);
    private static readonly Func<ILogger, Guid, IDisposable?> s_callScope = LoggerMessage.DefineScope<Guid>("CallId:{CallId}");

    private readonly ILogger _logger = context.SessionLogger;
    private readonly string? _remote = connection.RemoteEndPoint?.ToString();
    private readonly CancellationTokenSource _connectionEnd = new();
    private readonly Lock _drainLock = new();
    private bool _endAtQuietMoment;
    private bool _endNow;
    private PlayoutCall? _call;
    private CallerAudioFeed? _feed;
    private CallAttachment? _attachment;
    private AgentOutputObserver? _output;
    private IAgentOutput? _outputReference;
    private string _provider = "unknown";
    private Task _reportPump = Task.CompletedTask;
    private Task _watch = Task.CompletedTask;
    private CallEnd _end = CallEnd.ByCaller;

    private PipeReader Input => connection.Transport.Input;

    private PlayoutCall Call => _call ?? throw new InvalidOperationException("no call before the handshake");

    private CallAttachment Attachment => _attachment ?? throw new InvalidOperationException("no call before the handshake");

    /// <summary>The activation followed now (attached before the relay starts).</summary>
    private ICallGrain Grain => Attachment.Grain ?? throw new InvalidOperationException("no call before the attach");

    /// <summary>Runs the connection to its end; whatever happens on it stays there.</summary>
    public async Task RunAsync()
    {
        // Before any await: a connection accepted before the listener stopped has joined the drain when the unbind returns.
        using var drain = context.Drain.Enter(this);
        context.Metrics.Connection(+1);
        try
        {
            await RunConnectionAsync();
        }
        catch (Exception ex)
        {
            LogConnectionFailed(ex, connection.ConnectionId);
            connection.Abort();
        }
        finally
        {
            context.Metrics.Connection(-1);
        }
    }

    private async Task RunConnectionAsync()
    {
        // Kestrel's socket transport sets TCP_NODELAY by default; make sure, since every frame is latency-bound.
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            socket.NoDelay = true;
        }

        var handshake = await AudioSocketHandshake.ReadUuidAsync(Input, context.FrameReader, TimeSpan.FromMilliseconds(context.Options.UuidTimeoutMs), context.Time);
        if (handshake.Outcome != HandshakeOutcome.Ok)
        {
            await RejectAsync(handshake);
            return;
        }

        using var scope = s_callScope(_logger, handshake.CallId);
        var label = await AudioSocketFormatProbe.PeekFirstAudioKindAsync(Input, TimeSpan.FromMilliseconds(context.Options.FormatProbeMs), context.Time);
        var formats = ResolveFormats(label);
        var call = new PlayoutCall(
            handshake.CallId, formats.Caller, formats.Playout, connection.Transport.Output, Input,
            context.Options, context.Time, context.Metrics, context.PlayoutLogger);
        PublishCall(call);
        _output = new AgentOutputObserver(call, context.Metrics, context.StreamLogger);
        _outputReference = context.Client.CreateObjectReference<IAgentOutput>(_output);
        _attachment = new CallAttachment(context.Client, handshake.CallId, _outputReference, context.Time, _logger);
        try
        {
            await RunCallAsync(new InboundLabelWatch(label));
        }
        finally
        {
            context.Client.DeleteObjectReference<IAgentOutput>(_outputReference);
            _connectionEnd.Dispose();
        }
    }

    private async Task RejectAsync(HandshakeResult handshake)
    {
        switch (handshake.Outcome)
        {
            case HandshakeOutcome.Closed:
                // E.g. the dialplan app connects, then finds the channel not answered and closes.
                LogClosedBeforeUuid(_remote);
                await CloseAsync(pendingFlush: null, sendHangup: false);
                break;
            case HandshakeOutcome.TimedOut:
                LogUuidTimeout(_remote, context.Options.UuidTimeoutMs);
                await CloseAsync(pendingFlush: null, sendHangup: true);
                break;
            default:
                context.Metrics.ProtocolError(handshake.Error!.Error);
                LogProtocolErrorBeforeUuid(_remote, handshake.Error.Error, handshake.Error.Message);
                await CloseAsync(pendingFlush: null, sendHangup: true);
                break;
        }
    }

    private CallFormats ResolveFormats(AudioSocketKind? label)
    {
        var configured = context.ConfiguredFormat;
        var formats = CallFormats.Resolve(label, configured);
        if (label is { } kind && (formats.Caller != configured || formats.Playout != formats.Caller))
        {
            LogFormatFromLabel((byte)kind, formats.Caller.ToString(), formats.Playout.ToString(), configured.ToString());
        }

        return formats;
    }

    /// <inheritdoc/>
    void IDrainableCall.EndAtQuietMoment()
    {
        PlayoutCall? call;
        lock (_drainLock)
        {
            _endAtQuietMoment = true;
            call = _call;
        }

        call?.EndAtQuietMoment();
    }

    /// <inheritdoc/>
    void IDrainableCall.EndNow()
    {
        PlayoutCall? call;
        lock (_drainLock)
        {
            _endNow = true;
            call = _call;
        }

        call?.RequestEnd(CallEndReason.Shutdown);
    }

    /// <summary>Makes the call visible to the drain, applying what it asked before the call existed.</summary>
    private void PublishCall(PlayoutCall call)
    {
        bool quiet, now;
        lock (_drainLock)
        {
            _call = call;
            (quiet, now) = (_endAtQuietMoment, _endNow);
        }

        if (now)
        {
            call.RequestEnd(CallEndReason.Shutdown);
        }
        else if (quiet)
        {
            call.EndAtQuietMoment();
        }
    }

    private async Task RunCallAsync(InboundLabelWatch labels)
    {
        try
        {
            // Pace from now on: while the call attaches and the provider connects, keepalive silence holds Asterisk's
            // inactivity timeout off. The observer exists before the attach: the greeting may come before it returns.
            context.Pacer.Register(Call);
            if (!await AttachAsync())
            {
                _end = new CallEnd(CallEndReason.AgentHangup, SendHangup: true);
                return;
            }

            _reportPump = PumpReportsAsync();
            _feed = new CallerAudioFeed(
                Grain, Attachment.Attachment, Call, TimeSpan.FromMilliseconds(context.Options.CallerGapFillMs), TimeSpan.FromMilliseconds(context.Options.FrameMs),
                context.Options.CallerFramesPerMessage, TimeSpan.FromMilliseconds(context.Options.FailoverReplayMs), context.Time, context.Metrics,
                context.RelayLogger);
            _output!.AgentAudioArrived += _feed.OnAgentAudio;
            _output.HandoverRequested += next => _ = RestoreAsync(Attachment.Epoch, next, CallAttachReason.Handover);
            if (_feed.NeedsTicks)
            {
                // Gaps in the caller's media are filled, and held frames sent, on the shared pacer's clock, not a timer per call.
                context.Pacer.Register(_feed);
            }

            _watch = new ActivationWatch(Attachment, TimeSpan.FromMilliseconds(context.Options.LivenessMs), context.Time, _logger)
                .RunAsync(lost => RestoreAsync(lost, lost + 1, CallAttachReason.SiloLost), OnMoved, OnEndedByGrain, _connectionEnd.Token);
            _end = await new CallerFrameRelay(Input, context.FrameReader, Call, () => Grain, _feed, labels, context.Metrics, context.RelayLogger).RunAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogCallFailed(ex);
            _end = new CallEnd(CallEndReason.ProviderError, SendHangup: true);
        }
        finally
        {
            await EndCallAsync();
        }
    }

    /// <summary>Attaches the connection to its call; false when the call is already over.</summary>
    private async Task<bool> AttachAsync()
    {
        var call = Call;
        var start = new CallStartRequest(call.CallerFormat, context.GatewayId, _remote, TimeSpan.FromMilliseconds(context.Options.FrameMs))
        {
            PlayoutFormat = call.Format == call.CallerFormat ? null : call.Format,
        };
        var started = context.Time.GetTimestamp();
        var attached = await Attachment.ConnectAsync(start, _connectionEnd.Token);
        if (!attached.IsAttached)
        {
            LogCallAlreadyEnded(_remote, attached.Epoch);
            return false;
        }

        OnAttached(attached);
        LogCallStarted(_remote, call.CallerFormat.ToString(), call.Format.ToString(), _provider, attached.Outcome, attached.Epoch);
        if (attached.Outcome == CallAttachOutcome.Reattached)
        {
            // The dialplan connected again (its gateway drained or died): this connection carries the live call on.
            context.Metrics.Failover("gateway_reattach", _provider);
            LogReattached(attached.Epoch, context.Time.GetElapsedTime(started).TotalMilliseconds);
        }

        return true;
    }

    private void OnAttached(CallAttached attached)
    {
        _output!.Follow(attached.Epoch);
        _provider = attached.Provider ?? _provider;
        Call.SetProvider(_provider);
        if (attached.Format != Call.Format)
        {
            LogGrainFormatDiffers(attached.Format.ToString(), Call.Format.ToString());
        }
    }

    /// <summary>
    /// The activation at <paramref name="lostEpoch"/> is gone or handing over: restore the call at the next epoch and
    /// carry the caller's unanswered audio over. Agent audio already queued keeps playing meanwhile.
    /// </summary>
    private async Task RestoreAsync(int lostEpoch, int nextEpoch, CallAttachReason reason)
    {
        if (Call.IsEndSignalled)
        {
            return;
        }

        var started = context.Time.GetTimestamp();
        try
        {
            var attached = await Attachment.RestoreAsync(lostEpoch, nextEpoch, reason, _connectionEnd.Token);
            if (attached is null)
            {
                return; // another restore got there first
            }

            if (!attached.IsAttached)
            {
                EndAfterQueuedAudio(); // the record says the call has ended
                return;
            }

            OnAttached(attached);
            var replayedMs = _feed?.Retarget(Grain, Attachment.Attachment, replay: true) ?? 0;
            context.Metrics.Failover(reason == CallAttachReason.Handover ? "silo_drained" : "silo_lost", _provider);
            LogRestored(lostEpoch, attached.Epoch, reason, context.Time.GetElapsedTime(started).TotalMilliseconds, replayedMs);
        }
        catch (OperationCanceledException) when (_connectionEnd.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogRestoreFailed(ex, lostEpoch);
            Call.RequestEnd(CallEndReason.ProviderError);
        }
    }

    /// <summary>Forwards the pacer's playout reports to the grain (never from the pacer thread).</summary>
    private async Task PumpReportsAsync()
    {
        await foreach (var report in Call.Reports.ReadAllAsync())
        {
            if (report.Event == PlayoutEvent.Started)
            {
                context.Metrics.PlatformLatency(report.PlatformLatency, _provider);
            }

            try
            {
                await Grain.ReportPlayoutAsync(report);
            }
            catch (Exception ex)
            {
                LogRelayFailed(ex);
            }
        }
    }

    /// <summary>
    /// Another connection carries the call now (the dialplan connected again elsewhere while this one lingered): end
    /// this session without touching the call, which the grain no longer lets this connection end anyway.
    /// </summary>
    private void OnMoved() => Call.RequestEnd(CallEndReason.Superseded, byPlatform: true);

    /// <summary>
    /// The grain has ended the call; its end event normally follows the last agent audio within milliseconds. Should
    /// it never come, the call ends anyway after <see cref="s_endEventGrace"/>, once what is queued has played.
    /// </summary>
    private void OnEndedByGrain() => _ = EndUnlessSignalledAsync();

    private async Task EndUnlessSignalledAsync()
    {
        try
        {
            await Task.Delay(s_endEventGrace, context.Time, _connectionEnd.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (!Call.IsEndSignalled)
        {
            LogEndEventMissing(s_endEventGrace.TotalSeconds);
            EndAfterQueuedAudio();
        }
    }

    /// <summary>The grain has ended the call: what it queued still plays, then the hangup frame, as for the agent's own hang-up.</summary>
    private void EndAfterQueuedAudio() => Call.RequestEnd(CallEndReason.AgentHangup, byPlatform: true, drain: true);

    /// <summary>Stops playout, tells the grain (it ends the call, or keeps it for a reconnect), then closes the socket.</summary>
    private async Task EndCallAsync()
    {
        await _connectionEnd.CancelAsync();
        await _watch;
        if (_feed is not null)
        {
            context.Pacer.Unregister(_feed);
            _feed.Flush();
            _feed.LogSummary();
        }

        context.Pacer.Unregister(Call);
        var pendingFlush = Call.Close();
        var tellGrain = !Call.EndedByPlatform && Attachment.Grain is not null; // when the grain ended the call it already knows
        var drained = _end.Reason == CallEndReason.Shutdown;
        var hungUp = Task.CompletedTask;
        if (tellGrain && drained)
        {
            // Detach before the hangup frame: the dialplan connects again the moment it sees it, and a detach arriving
            // after the next gateway's attach would take the call away from that gateway.
            await DetachAsync();
        }
        else if (tellGrain)
        {
            // Hang the grain up before the frame too: the dialplan reads the disposition the moment AudioSocket()
            // returns and must not find the ending call still live (`reconnect`). Bounded, then the frame goes anyway.
            hungUp = HangupGrainAsync();
            await Task.WhenAny(hungUp, Task.Delay(s_hangupBeforeFrame, context.Time));
        }

        await CloseAsync(pendingFlush, _end.SendHangup);
        await _reportPump;
        await hungUp;
        if (drained && context.Drain.IsDraining)
        {
            context.Drain.CallDrained(Call.EndedAtQuietMoment);
            LogDrained(Call.EndedAtQuietMoment ? "at a quiet moment" : "at the drain deadline", context.Drain.ElapsedMs);
        }

        context.Metrics.CallEnded(_end.Reason, _provider);
        LogCallEnded(_end.Reason, _end.SendHangup);
    }

    /// <summary>This gateway is going away, not the caller: the call waits for the dialplan to connect again (disposition <c>reconnect</c>).</summary>
    private async Task DetachAsync()
    {
        try
        {
            await Grain.DetachAsync(Attachment.Attachment).WaitAsync(s_detachTimeout, context.Time);
        }
        catch (Exception ex)
        {
            // Still `reconnect`: a live call the gateway no longer feeds answers it until its watchdog gives up.
            LogDetachFailed(ex);
        }
    }

    private async Task HangupGrainAsync()
    {
        try
        {
            await Grain.HangupAsync(_end.Reason, Attachment.Attachment);
        }
        catch (Exception ex)
        {
            LogGrainHangupFailed(ex);
        }
    }

    /// <summary>Sends <c>00 00 00</c> when we end the call, then completes both pipes (Kestrel closes the socket).</summary>
    private async Task CloseAsync(ValueTask<FlushResult>? pendingFlush, bool sendHangup)
    {
        var output = connection.Transport.Output;
        try
        {
            if (pendingFlush is { } pending)
            {
                await pending.AsTask().WaitAsync(s_closeTimeout, context.Time);
            }

            if (sendHangup)
            {
                AudioSocketFrameWriter.WriteHangup(output);
                await output.FlushAsync().AsTask().WaitAsync(s_closeTimeout, context.Time);
            }
        }
        catch (Exception ex) when (ex is IOException or TimeoutException or InvalidOperationException or OperationCanceledException or ConnectionAbortedException)
        {
            // The peer is gone or not reading: do not wait on it.
            LogCloseFailed(ex.Message);
            connection.Abort();
        }

        await output.CompleteAsync();
        await Input.CompleteAsync();
    }

    [LoggerMessage(EventId = 2000, Level = LogLevel.Error, Message = "AudioSocket connection {ConnectionId} failed")]
    private partial void LogConnectionFailed(Exception ex, string connectionId);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Connection from {Remote} closed before sending a UUID")]
    private partial void LogClosedBeforeUuid(string? remote);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Connection from {Remote} sent no UUID within {TimeoutMs} ms (audiosocket.uuid_timeout_ms); hanging up")]
    private partial void LogUuidTimeout(string? remote, int timeoutMs);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Connection from {Remote}: invalid first frame ({Error}: {Detail}); hanging up")]
    private partial void LogProtocolErrorBeforeUuid(string? remote, AudioSocketProtocolError error, string detail);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Call started from {Remote}: caller audio {Format}, replies {PlayoutFormat}, provider {Provider} ({Outcome} at epoch {Epoch})")]
    private partial void LogCallStarted(string? remote, string format, string playoutFormat, string provider, CallAttachOutcome outcome, int epoch);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Information, Message = "Connection from {Remote} is for a call that has ended (epoch {Epoch}); hanging up")]
    private partial void LogCallAlreadyEnded(string? remote, int epoch);

    [LoggerMessage(EventId = 2363, Level = LogLevel.Warning, Message = "Call restored: epoch {LostEpoch} -> {Epoch} ({Reason}) in {ElapsedMs:0} ms, {ReplayedMs} ms of caller audio replayed")]
    private partial void LogRestored(int lostEpoch, int epoch, CallAttachReason reason, double elapsedMs, long replayedMs);

    [LoggerMessage(EventId = 2364, Level = LogLevel.Error, Message = "Call could not be restored after epoch {LostEpoch}; hanging up")]
    private partial void LogRestoreFailed(Exception ex, int lostEpoch);

    [LoggerMessage(EventId = 2371, Level = LogLevel.Information, Message = "Call ended for the drain {Moment}, {WaitMs:0} ms after it began: the dialplan reads reconnect")]
    private partial void LogDrained(string moment, double waitMs);

    [LoggerMessage(EventId = 2375, Level = LogLevel.Information, Message = "Call re-attached at epoch {Epoch} from a new connection (the dialplan connected again) in {ElapsedMs:0} ms")]
    private partial void LogReattached(int epoch, double elapsedMs);

    [LoggerMessage(EventId = 2379, Level = LogLevel.Warning, Message = "Detaching from the call grain failed; the call still reads reconnect")]
    private partial void LogDetachFailed(Exception ex);

    [LoggerMessage(EventId = 2367, Level = LogLevel.Warning, Message = "The call's grain ended the call but its end event did not arrive within {Seconds} s; hanging up after the queued audio")]
    private partial void LogEndEventMissing(double seconds);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Call ended: {Reason} (hangup frame sent: {HangupSent})")]
    private partial void LogCallEnded(CallEndReason reason, bool hangupSent);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Error, Message = "Call failed")]
    private partial void LogCallFailed(Exception ex);

    [LoggerMessage(EventId = 2014, Level = LogLevel.Warning, Message = "Relaying to the call grain failed")]
    private partial void LogRelayFailed(Exception ex);

    [LoggerMessage(EventId = 2015, Level = LogLevel.Warning, Message = "Telling the call grain about the hangup failed")]
    private partial void LogGrainHangupFailed(Exception ex);

    [LoggerMessage(EventId = 2018, Level = LogLevel.Debug, Message = "Closing the connection did not complete cleanly: {Detail}")]
    private partial void LogCloseFailed(string detail);

    [LoggerMessage(EventId = 2019, Level = LogLevel.Information, Message = "Asterisk labels audio 0x{Kind:X2}: caller audio is {Format}, replies go as {PlayoutFormat} (audiosocket.format is {Configured})")]
    private partial void LogFormatFromLabel(byte kind, string format, string playoutFormat, string configured);

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "The call grain answered format {GrainFormat}; the socket stays {Format}")]
    private partial void LogGrainFormatDiffers(string grainFormat, string format);
}
