using AiAgent.Grains.Providers.Transport;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>
/// Turns the life of the OpenAI Realtime connections into the session's events and logs (event ids 4100–4199): a lost
/// connection, the reconnects, the planned rollover, dropped caller audio and the end of the session.
/// </summary>
internal sealed class RealtimeTransportObserver(RealtimeCall call) : ITransportObserver
{
    private int _ended;
    private int _liveEpoch;
    private bool _everReady;
    private long _droppedBytes;
    private string _lastLoss = "the connection was lost";

    /// <summary>True once the session has ended (no more caller audio is taken).</summary>
    public bool Ended => Volatile.Read(ref _ended) == 1;

    /// <summary>Caller audio bytes dropped so far (before a connection was ready, or the send queue was full).</summary>
    public long DroppedBytes => Interlocked.Read(ref _droppedBytes);

    /// <summary>The connection of conversation epoch <paramref name="epoch"/> carries the call (a first or reconnected one, or a rollover's successor).</summary>
    public void Carrying(int epoch)
    {
        Volatile.Write(ref _liveEpoch, epoch);
        _everReady = true;
    }

    /// <inheritdoc/>
    public void OnConnecting(ConnectPurpose purpose, int attempt)
    {
        if (purpose == ConnectPurpose.Reconnect)
        {
            OpenAIRealtimeLog.Reconnecting(call.Logger, call.CallId, _lastLoss, attempt, call.Options.MaxReconnectAttempts);
        }

        OpenAIRealtimeLog.Connecting(call.Logger, call.CallId, call.Options.BuildRealtimeUri(), attempt);
    }

    /// <inheritdoc/>
    public void OnConnectionLost(ProviderConnection? connection, ConnectionFault fault, Exception? exception)
    {
    }

    /// <inheritdoc/>
    public void OnFault(ConnectionFault fault)
    {
        var epoch = Interlocked.Exchange(ref _liveEpoch, 0);
        if (fault.Final)
        {
            // Reported as fatal when the session ends.
            if (epoch != 0)
            {
                call.Settle(epoch, lost: true);
            }

            return;
        }

        if (epoch == 0)
        {
            // A failed attempt the transport retries (a 429 or a timeout at the upgrade): counted even when a retry
            // gets past it; if none does, the session's end is reported on its own as fatal.
            call.Publish(new ProviderError(fault.Kind, fault.Code, fault.Description, Fatal: false));
            return;
        }

        // The connection carrying the call was lost or expired: report it (not fatal: the transport reconnects), then
        // close the utterance in flight; the next connection re-seeds and asks again for an answer cut off.
        _lastLoss = fault.Description;
        call.Publish(new ProviderError(fault.Kind, fault.Code, fault.Description, Fatal: false));
        call.Settle(epoch, lost: true);
    }

    /// <inheritdoc/>
    public void OnHandover(ProviderConnection successor, string why)
    {
        var state = RealtimeConnectionState.Of(successor);
        // Planned: the new session is configured and re-seeded already; caller audio queued meanwhile goes to it.
        var old = Interlocked.Exchange(ref _liveEpoch, state.Epoch);
        if (old != 0 && call.Settle(old, lost: false))
        {
            // Forced at the deadline with an answer under way: ask for it again on the new session.
            call.Send(new ResponseCreateEvent(call.EventIds.Next("response.create"), null), RealtimeJsonContext.Default.ResponseCreateEvent);
        }

        OpenAIRealtimeLog.RolledOver(call.Logger, call.CallId, state.SessionId, why, state.Seeded);
        // Attempt 0 marks a planned rollover (a fault's reconnect counts from 1).
        call.Publish(new ProviderReconnected(0));
    }

    /// <inheritdoc/>
    public void OnRolloverPlanned(ProviderConnection connection, RolloverSchedule schedule)
    {
        var state = RealtimeConnectionState.Of(connection);
        var began = call.Time.GetUtcNow() - call.Time.GetElapsedTime(connection.ReadyAt);
        OpenAIRealtimeLog.RolloverPlanned(call.Logger, call.CallId, state.ExpiresAt ?? began + schedule.ForcedAfter, began + schedule.PlannedAfter);
    }

    /// <inheritdoc/>
    public void OnRolloverFailed(string reason) => OpenAIRealtimeLog.RolloverFailed(call.Logger, call.CallId, reason);

    /// <inheritdoc/>
    public void OnCallerAudioDropped(AudioDropReason reason, int bytes, bool first)
    {
        Interlocked.Add(ref _droppedBytes, bytes);
        if (reason == AudioDropReason.QueueFull && first)
        {
            OpenAIRealtimeLog.AudioBacklog(call.Logger, call.CallId, ProviderOutbox.Capacity);
        }
    }

    /// <inheritdoc/>
    public void OnKeepAliveSent()
    {
    }

    /// <inheritdoc/>
    public void OnEnded(TransportEnd end)
    {
        switch (end)
        {
            case { Kind: TransportEndKind.Failed, Fault: { Code: "INTERNAL" } }:
                OpenAIRealtimeLog.SessionFailed(call.Logger, call.CallId, "internal error", null);
                Fail(new ProviderError(ProviderErrorKind.Other, "internal_error", "internal error", Fatal: true));
                break;
            case { Kind: TransportEndKind.ReconnectsExhausted, Fault: { } last } when _everReady:
                var message = $"could not reconnect after {call.Options.MaxReconnectAttempts} attempts ({_lastLoss}; last: {last.Description})";
                Fail(new ProviderError(ProviderErrorKind.Disconnected, "reconnect_failed", message, Fatal: true));
                break;
            case { Fault: { } fault }:
                Fail(new ProviderError(fault.Kind, fault.Code, fault.Description, Fatal: true));
                break;
            default:
                OpenAIRealtimeLog.SessionClosed(call.Logger, call.CallId, "stopped");
                End("stopped", hangUp: false);
                break;
        }
    }

    /// <summary>Reports a fatal error and ends the session with a hang-up.</summary>
    public void Fail(ProviderError error)
    {
        OpenAIRealtimeLog.SessionFailed(call.Logger, call.CallId, error.Message, null);
        call.Publish(error);
        End(error.Message, hangUp: true);
    }

    /// <summary>Ends the session once: held transcripts go out, then <see cref="SessionEnded"/> completes the events.</summary>
    public void End(string reason, bool hangUp)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1)
        {
            return;
        }

        call.FlushHeldTranscripts();
        if (DroppedBytes > 0)
        {
            OpenAIRealtimeLog.CallerAudioDropped(call.Logger, call.CallId, DroppedBytes);
        }

        call.Publish(new SessionEnded(reason, hangUp, Failed: hangUp)); // this session hangs up only when it failed
        call.CompleteEvents();
    }
}
