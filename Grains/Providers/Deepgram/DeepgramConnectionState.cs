using AiAgent.Grains.Providers.Transport;

namespace AiAgent.Grains.Providers.Deepgram;

/// <summary>What the Deepgram protocol remembers about one connection.</summary>
internal sealed class DeepgramConnectionState
{
    /// <summary>From the connection's <c>Welcome</c>.</summary>
    public string? RequestId { get; set; }

    /// <summary>Conversation items sent in its <c>Settings</c> (re-seeded after a reconnect or rollover).</summary>
    public int HistorySeeded { get; set; }

    public static DeepgramConnectionState Of(ProviderConnection connection) =>
        connection.ProtocolState as DeepgramConnectionState ?? (DeepgramConnectionState)(connection.ProtocolState = new DeepgramConnectionState());
}
