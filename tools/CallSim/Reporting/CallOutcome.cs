namespace AiAgent.CallSim.Reporting;

/// <summary>How a simulated call ended.</summary>
public enum CallOutcome
{
    /// <summary>The call never started (the run was cancelled first).</summary>
    NotStarted,

    /// <summary>We hung up as Asterisk does when the caller hangs up: the socket closed, no frame.</summary>
    CallerHangup,

    /// <summary>The server sent a hangup frame (kind 0x00).</summary>
    ServerHangupFrame,

    /// <summary>The server closed the socket (EOF), which Asterisk 20.14+ also treats as a graceful end.</summary>
    ServerClosed,

    /// <summary>The server sent something Asterisk tears the call down for (a non-audio kind, a zero-length frame).</summary>
    ProtocolViolation,

    /// <summary>The TCP connect failed or timed out (Asterisk gives up after 2 s).</summary>
    ConnectFailed,

    /// <summary>The socket failed (reset, write error).</summary>
    SocketError,
}
