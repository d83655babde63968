namespace AiAgent.Grains.Asterisk.Ari;

/// <summary>The events WebSocket dropped without a close handshake (Asterisk restarted, the network broke).</summary>
public sealed class AriConnectionLostException : Exception
{
    /// <summary>Creates the exception.</summary>
    public AriConnectionLostException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
