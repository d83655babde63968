using AiAgent.Grains.Providers.Transport;

namespace AiAgent.Grains.Providers.OpenAIRealtime;

/// <summary>What the protocol knows about one connection (kept in <see cref="ProviderConnection.ProtocolState"/>).</summary>
internal sealed class RealtimeConnectionState
{
    /// <summary><c>session.created</c> arrived and <c>session.update</c> went out.</summary>
    public bool Created { get; set; }

    /// <summary>The conversation epoch of this connection, once configured (0 before).</summary>
    public int Epoch { get; set; }

    public string? SessionId { get; set; }

    /// <summary><c>session.expires_at</c>, if the server stated it.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Conversation items re-seeded into this session.</summary>
    public int Seeded { get; set; }

    public static RealtimeConnectionState Of(ProviderConnection connection) =>
        connection.ProtocolState as RealtimeConnectionState ?? (RealtimeConnectionState)(connection.ProtocolState = new RealtimeConnectionState());
}
