using System.Buffers;
using System.Net.WebSockets;

namespace AiAgent.Grains.Providers.Transport;

/// <summary>
/// The wire protocol of one provider socket: everything a <see cref="ProviderTransport"/> cannot know. The
/// transport owns connect, the receive and send loops, keep-alive, close, reconnect and rollover; the protocol
/// builds the handshake, sends its settings, parses what arrives and says when the socket is ready.
/// </summary>
/// <remarks>Called from the transport's loops (never the grain scheduler), one connection's receive loop at a time,
/// so inbound handling needs no locks of its own.</remarks>
internal interface IProviderProtocol
{
    /// <summary>The WebSocket URL to open.</summary>
    Uri Endpoint { get; }

    /// <summary>One budget for the upgrade and the handshake up to <see cref="ProviderConnection.MarkReady"/>.</summary>
    TimeSpan ConnectTimeout { get; }

    /// <summary>The server message that makes the socket ready (for the timeout's description, e.g. <c>SettingsApplied</c>).</summary>
    string ReadyMessageName { get; }

    /// <summary>Caller audio held while the socket is not ready; older audio is dropped (newest kept).</summary>
    int PreReadyAudioBudgetBytes { get; }

    /// <summary>How long the socket may go without a send before <see cref="KeepAliveMessage"/> goes out.</summary>
    TimeSpan KeepAliveInterval { get; }

    /// <summary>The keep-alive text frame; empty for none (the transport then sends nothing).</summary>
    ReadOnlyMemory<byte> KeepAliveMessage { get; }

    /// <summary>How long the server may stay silent while <see cref="AnswerDue"/> before the connection counts as lost; zero is off.</summary>
    TimeSpan ServerSilenceLimit { get; }

    /// <summary>True while the server owes the call something it streams (an answer asked for or under way).</summary>
    bool AnswerDue { get; }

    /// <summary>Sets request headers (authorization, beta flags) and sub-protocols of the upgrade.</summary>
    void ConfigureHandshake(ClientWebSocketOptions options);

    /// <summary>Classifies a failed upgrade (the HTTP status is captured): auth refusals are final, others retried.</summary>
    ConnectionFault OnUpgradeFailed(UpgradeFailure failure);

    /// <summary>
    /// The socket is open and nothing else has been sent on it: send the settings (re-seeded with the conversation so
    /// far unless <see cref="ProviderConnection.Purpose"/> is <see cref="ConnectPurpose.First"/>) with
    /// <see cref="ProviderConnection.SendDirectAsync"/>. The receive loop is already running.
    /// </summary>
    ValueTask OnConnectedAsync(ProviderConnection connection, CancellationToken cancellationToken);

    /// <summary>
    /// One complete text message (valid only until the returned task completes). Call
    /// <see cref="ProviderConnection.MarkReady"/> when the handshake completes; until then the protocol may answer
    /// handshake messages with <see cref="ProviderConnection.SendDirectAsync"/> (e.g. <c>session.update</c> after
    /// <c>session.created</c>). Return false (after <see cref="ProviderConnection.Fail"/>) to end the connection.
    /// While <see cref="ProviderConnection.IsCurrent"/> is false (a rollover successor being prepared) only handshake
    /// messages matter: the call's events still come from the old connection.
    /// </summary>
    ValueTask<bool> OnTextAsync(ProviderConnection connection, ReadOnlyMemory<byte> utf8, CancellationToken cancellationToken);

    /// <summary>One complete binary message (agent audio for Deepgram).</summary>
    void OnBinary(ProviderConnection connection, ReadOnlySpan<byte> data);

    /// <summary>
    /// Frames caller audio for the wire: raw binary (return <paramref name="audio"/>, <see cref="WebSocketMessageType.Binary"/>)
    /// or e.g. a JSON append written into <paramref name="scratch"/> (already reset) as text.
    /// </summary>
    ReadOnlyMemory<byte> EncodeAudio(ReadOnlyMemory<byte> audio, ArrayBufferWriter<byte> scratch, out WebSocketMessageType messageType);
}
