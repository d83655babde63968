namespace AiAgent.Grains.Providers.Transport;

/// <summary>
/// What a <see cref="ProviderTransport"/> tells its session about the life of its connections, so the session emits
/// its events (<see cref="SessionStarted"/>, <see cref="ProviderReconnected"/>, <see cref="ProviderError"/>,
/// <see cref="SessionEnded"/>), logs with its own event ids and counts in its own metrics.
/// </summary>
/// <remarks>Called from the transport's supervisor and loops, never concurrently for one transport.</remarks>
internal interface ITransportObserver
{
    /// <summary>A connection is being opened; <paramref name="attempt"/> counts consecutive failures (0 for the first and for a rollover).</summary>
    void OnConnecting(ConnectPurpose purpose, int attempt);

    /// <summary>The connection's socket was lost or closed by the server (not for faults the protocol raised itself).</summary>
    void OnConnectionLost(ProviderConnection? connection, ConnectionFault fault, Exception? exception);

    /// <summary>A connection (or its upgrade) failed; the transport decides next whether to reconnect.</summary>
    void OnFault(ConnectionFault fault);

    /// <summary>A planned rollover's successor carries the call now (<see cref="ConnectPurpose.Rollover"/>, on the supervisor before its loops start).</summary>
    void OnHandover(ProviderConnection successor, string why);

    /// <summary>Rollover timing was planned for <paramref name="connection"/> (<paramref name="schedule"/> from its ready moment).</summary>
    void OnRolloverPlanned(ProviderConnection connection, RolloverSchedule schedule);

    /// <summary>A planned rollover failed; the call stays on the old connection.</summary>
    void OnRolloverFailed(string reason);

    /// <summary>Caller audio was dropped (<paramref name="first"/>: the first drop for this reason on this transport).</summary>
    void OnCallerAudioDropped(AudioDropReason reason, int bytes, bool first);

    /// <summary>A keep-alive went out.</summary>
    void OnKeepAliveSent();

    /// <summary>The transport ended; no more callbacks follow.</summary>
    void OnEnded(TransportEnd end);
}
