namespace AiAgent.Grains.Providers.Transport;

/// <summary>Why one connection ended (or could not be opened).</summary>
/// <param name="Kind">The error kind the session reports.</param>
/// <param name="Code">The provider's error code, or the transport's (<c>CONNECT_FAILED</c>, <c>CONNECTION_LOST</c> ...).</param>
/// <param name="Description">What happened, free of secrets.</param>
/// <param name="Final">True when retrying cannot help (a refused key, invalid settings): the session ends.</param>
internal sealed record ConnectionFault(ProviderErrorKind Kind, string Code, string Description, bool Final = false);

/// <summary>What went wrong at the WebSocket upgrade, for the protocol to classify.</summary>
/// <param name="StatusCode">The HTTP status of the refused upgrade; 0 when no response arrived.</param>
/// <param name="TimedOut">True when the connect budget ran out.</param>
/// <param name="Exception">The failure, null when the budget ran out.</param>
internal readonly record struct UpgradeFailure(int StatusCode, bool TimedOut, Exception? Exception);

/// <summary>Why a connection is being opened.</summary>
internal enum ConnectPurpose
{
    /// <summary>The session's first connection.</summary>
    First,

    /// <summary>After a fault: re-seed the conversation, no greeting.</summary>
    Reconnect,

    /// <summary>A planned rollover before the service's session cap: re-seed, no greeting, opened while the old one still carries the call.</summary>
    Rollover,
}

/// <summary>How a transport ended.</summary>
internal enum TransportEndKind
{
    /// <summary>Stopped by the session (the call ended).</summary>
    Stopped,

    /// <summary>A final fault (see <see cref="TransportEnd.Fault"/>).</summary>
    Failed,

    /// <summary>Every reconnect attempt failed (see <see cref="TransportEnd.Fault"/> for the last).</summary>
    ReconnectsExhausted,
}

/// <summary>How and why a transport ended.</summary>
internal sealed record TransportEnd(TransportEndKind Kind, ConnectionFault? Fault);

/// <summary>Why caller audio was dropped.</summary>
internal enum AudioDropReason
{
    /// <summary>The send queue was full: the oldest queued caller audio gave way to the newest.</summary>
    QueueFull,

    /// <summary>Held while the connection was not ready; only the newest budget's worth is kept.</summary>
    BeforeReady,
}
