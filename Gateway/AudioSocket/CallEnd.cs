using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>How an AudioSocket call ends: why, and whether we send <c>00 00 00</c> before closing.</summary>
/// <param name="Reason">Why the call ended.</param>
/// <param name="SendHangup">
/// True when we end it: older Asterisk does not notice EOF, so the hangup frame goes first
/// (docs/protocols/asterisk.md). False when Asterisk ended it (EOF, a hangup frame).
/// </param>
internal readonly record struct CallEnd(CallEndReason Reason, bool SendHangup)
{
    /// <summary>Asterisk closed the connection or sent a hangup frame.</summary>
    public static CallEnd ByCaller => new(CallEndReason.CallerHangup, SendHangup: false);

    /// <summary>The peer sent bytes the protocol does not allow.</summary>
    public static CallEnd ByProtocolError => new(CallEndReason.ProtocolError, SendHangup: true);

    /// <summary>
    /// The peer sent an error frame: code 0x01 is "calling party hung up", every other code (or none) a failure
    /// on the Asterisk side (docs/protocols/audiosocket.md). Either way we hang up our side.
    /// </summary>
    public static CallEnd ByPeerError(byte? code) =>
        new(code == 0x01 ? CallEndReason.CallerHangup : CallEndReason.ProtocolError, SendHangup: true);
}
