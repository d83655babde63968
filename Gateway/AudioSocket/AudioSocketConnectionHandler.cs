using Microsoft.AspNetCore.Connections;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// Kestrel's entry point for AudioSocket connections (<c>UseConnectionHandler</c>): each connection gets its own
/// <see cref="AudioSocketSession"/>, which runs the call from the UUID to the close.
/// </summary>
public sealed class AudioSocketConnectionHandler(AudioSocketSessionContext context) : ConnectionHandler
{
    /// <inheritdoc/>
    public override Task OnConnectedAsync(ConnectionContext connection) => new AudioSocketSession(connection, context).RunAsync();
}
