using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;

namespace AiAgent.Emulators.Ari;

/// <summary>
/// Events sockets by application. As res_stasis does (from source, not observed), a new socket for an application
/// replaces the previous handler: events go to the newest socket only; the older one stays open and idle.
/// </summary>
internal sealed class AriEventHub
{
    private readonly object _gate = new();
    private readonly Dictionary<string, EventSocket> _newest = new(StringComparer.Ordinal);
    private readonly List<EventSocket> _open = [];
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);
    private int _accepted;
    private string? _newestApp;

    public int Accepted => Volatile.Read(ref _accepted);

    public int OpenCount { get { lock (_gate) { return _open.Count; } } }

    public bool IsRegistered(string app) { lock (_gate) { return _newest.ContainsKey(app); } }

    public bool IsKnown(string app) { lock (_gate) { return _known.Contains(app); } }

    /// <summary>The application of the newest socket (the emulator serves one application in practice).</summary>
    public string? NewestApplication { get { lock (_gate) { return _newestApp; } } }

    /// <summary>Queues <paramref name="json"/> for the application's newest socket; false when none is connected.</summary>
    public bool Publish(string app, string json)
    {
        lock (_gate)
        {
            return _newest.TryGetValue(app, out var socket) && socket.Outbox.Writer.TryWrite(json);
        }
    }

    public async Task RunAsync(string app, WebSocket webSocket, HttpContext context, Action changed)
    {
        var socket = new EventSocket(webSocket, context);
        lock (_gate)
        {
            _newest[app] = socket;
            _open.Add(socket);
            _known.Add(app);
            _newestApp = app;
        }

        Interlocked.Increment(ref _accepted);
        changed();
        try
        {
            var writer = WriteAsync(socket, context.RequestAborted);
            var buffer = new byte[1024];
            while (webSocket.State == WebSocketState.Open)
            {
                var result = await webSocket.ReceiveAsync(buffer, context.RequestAborted).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    if (webSocket.State == WebSocketState.CloseReceived)
                    {
                        await webSocket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None).ConfigureAwait(false);
                    }

                    break;
                }
            }

            socket.Outbox.Writer.TryComplete();
            await writer.ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ConnectionAbortedException or ObjectDisposedException)
        {
            // The client went, or a test dropped the socket.
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(socket);
                if (_newest.TryGetValue(app, out var newest) && newest == socket)
                {
                    _newest.Remove(app);
                }
            }

            changed();
        }
    }

    /// <summary>Drops every socket: without a close frame (a TCP reset), or with a close frame when <paramref name="graceful"/>.</summary>
    public void DropAll(bool graceful)
    {
        EventSocket[] sockets;
        lock (_gate)
        {
            sockets = [.. _open];
            _newest.Clear();
        }

        foreach (var socket in sockets)
        {
            if (graceful)
            {
                socket.Outbox.Writer.TryWrite(EventSocket.CloseMarker);
            }
            else
            {
                try
                {
                    socket.Context.Abort();
                }
                catch (ObjectDisposedException)
                {
                    // The request ended between the snapshot and here: that socket is gone already.
                }
            }
        }
    }

    private static async Task WriteAsync(EventSocket socket, CancellationToken cancellationToken)
    {
        await foreach (var json in socket.Outbox.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
        {
            if (ReferenceEquals(json, EventSocket.CloseMarker))
            {
                await socket.WebSocket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "emulator closed the socket", cancellationToken).ConfigureAwait(false);
                return;
            }

            await socket.WebSocket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class EventSocket(WebSocket webSocket, HttpContext context)
    {
        public static readonly string CloseMarker = new(['\0', 'c', 'l', 'o', 's', 'e']);

        public WebSocket WebSocket { get; } = webSocket;

        public HttpContext Context { get; } = context;

        public Channel<string> Outbox { get; } = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    }
}
