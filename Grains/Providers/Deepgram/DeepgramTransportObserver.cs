using AiAgent.Grains.Providers.Transport;

namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>
/// Turns the life of the Deepgram connections into the session's events, logs (event ids 5100-5199) and metrics:
/// errors, reconnects, the planned rollover and the end of the session.
/// </summary>
internal sealed class DeepgramTransportObserver(DeepgramCall call, DeepgramTurns turns, Uri endpoint) : ITransportObserver
{
    private int _ended;

    /// <summary>True once the session has ended (no more caller audio is taken).</summary>
    public bool Ended => Volatile.Read(ref _ended) == 1;

    /// <inheritdoc/>
    public void OnConnecting(ConnectPurpose purpose, int attempt)
    {
        if (purpose != ConnectPurpose.Rollover)
        {
            call.RequestId = null;
        }

        DeepgramLog.Connecting(call.Logger, call.CallId, endpoint.GetLeftPart(UriPartial.Path), purpose == ConnectPurpose.Rollover ? 0 : attempt + 1,
            call.Formats.Input.ToString(), call.Formats.Output.ToString());
    }

    /// <inheritdoc/>
    public void OnConnectionLost(ProviderConnection? connection, ConnectionFault fault, Exception? exception) =>
        DeepgramLog.ConnectionLost(call.Logger, call.CallId, call.RequestId, fault.Code, fault.Description, exception);

    /// <inheritdoc/>
    public void OnFault(ConnectionFault fault)
    {
        call.Fail(fault.Kind, fault.Code, fault.Description);
        // An answer cut off by the fault ends here: what arrived still plays out, and nothing more comes for it.
        turns.CloseUtterance();
    }

    /// <inheritdoc/>
    public void OnHandover(ProviderConnection successor, string why)
    {
        turns.SettleForHandover();
        var state = DeepgramConnectionState.Of(successor);
        call.RequestId = state.RequestId;
        DeepgramLog.RolledOver(call.Logger, call.CallId, why, state.RequestId, state.HistorySeeded);
        call.Metrics.Reconnected(planned: true);
        // Attempt 0 marks a planned rollover (a fault's reconnect counts from 1).
        call.Emit(new ProviderReconnected(0));
    }

    /// <inheritdoc/>
    public void OnRolloverPlanned(ProviderConnection connection, RolloverSchedule schedule)
    {
        var cap = call.Options.MaxSessionLength;
        var began = call.Time.GetUtcNow() - call.Time.GetElapsedTime(connection.ReadyAt);
        DeepgramLog.RolloverPlanned(call.Logger, call.CallId, cap, began + cap, began + schedule.PlannedAfter, began + schedule.ForcedAfter);
    }

    /// <inheritdoc/>
    public void OnRolloverFailed(string reason) => DeepgramLog.RolloverFailed(call.Logger, call.CallId, reason);

    /// <inheritdoc/>
    public void OnCallerAudioDropped(AudioDropReason reason, int bytes, bool first)
    {
        if (reason == AudioDropReason.QueueFull)
        {
            if (first)
            {
                DeepgramLog.CallerAudioDropped(call.Logger, call.CallId, bytes, "send queue full; the oldest queued audio gave way");
            }

            call.Metrics.Dropped("caller", "queue_full", bytes);
            return;
        }

        if (first)
        {
            DeepgramLog.CallerAudioDropped(call.Logger, call.CallId, bytes, $"waiting for SettingsApplied; only the newest {DeepgramProtocol.PreSettingsBufferMs} ms are kept");
        }

        call.Metrics.Dropped("caller", "before_settings", bytes);
    }

    /// <inheritdoc/>
    public void OnKeepAliveSent()
    {
        call.Metrics.KeepAliveSent();
        DeepgramLog.KeepAliveSent(call.Logger, call.CallId);
    }

    /// <inheritdoc/>
    public void OnEnded(TransportEnd end)
    {
        switch (end)
        {
            case { Kind: TransportEndKind.Failed, Fault: { Code: "INTERNAL" } }:
                End("internal error", hangUp: true, outcome: "failed");
                break;
            case { Kind: TransportEndKind.Failed, Fault: { } fault }:
                End($"{fault.Code}: {fault.Description}", hangUp: true, outcome: fault.Kind == ProviderErrorKind.Authentication ? "auth_failed" : "failed");
                break;
            case { Kind: TransportEndKind.ReconnectsExhausted, Fault: { } last }:
                var attempts = call.Options.MaxReconnectAttempts;
                DeepgramLog.ReconnectsExhausted(call.Logger, call.CallId, attempts, call.RequestId, last.Code);
                End($"{last.Code} after {attempts} reconnect attempts", hangUp: true, outcome: "failed");
                break;
            default:
                End("stopped", hangUp: false, outcome: "stopped");
                break;
        }
    }

    /// <summary>Ends the session once: the open utterance is closed, then <see cref="SessionEnded"/> completes the events.</summary>
    public void End(string reason, bool hangUp, string outcome)
    {
        if (Interlocked.Exchange(ref _ended, 1) == 1)
        {
            return;
        }

        turns.CloseUtterance();
        DeepgramLog.SessionEnded(call.Logger, call.CallId, reason, hangUp);
        call.Metrics.SessionEnded(outcome);
        call.Emit(new SessionEnded(reason, hangUp, Failed: outcome is "failed" or "auth_failed"));
        call.CompleteEvents();
    }
}
