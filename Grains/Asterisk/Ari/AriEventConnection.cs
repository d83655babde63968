using System.Buffers;
using System.Net;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiAgent.Grains.Asterisk.Ari;

/// <summary>
/// One events WebSocket (<c>/ari/events?app=NAME&amp;api_key=…</c>) read as typed events. It does not reconnect: when the
/// socket ends, <see cref="ReadEventsAsync"/> completes (Asterisk closed it with a close frame) or throws
/// <see cref="AriConnectionLostException"/> (it dropped); the owner decides what to do next.
/// </summary>
public sealed class AriEventConnection : IAsyncDisposable
{
    /// <summary>The largest event accepted; a bigger one is skipped (Asterisk's events are a few kB).</summary>
    public const int MaxEventBytes = 1 << 20;

    private readonly ClientWebSocket _socket;
    private readonly ILogger _logger;
    private long _sequence;

    private AriEventConnection(ClientWebSocket socket, ILogger logger)
    {
        _socket = socket;
        _logger = logger;
    }

    /// <summary>True while the socket is open.</summary>
    public bool IsOpen => _socket.State == WebSocketState.Open;

    /// <summary>
    /// Connects. A refused upgrade (401 on bad credentials, 404 …) throws <see cref="AriException"/> with its status; a
    /// transport failure throws <see cref="AriConnectionLostException"/>.
    /// </summary>
    public static async Task<AriEventConnection> ConnectAsync(AriEndpoint endpoint, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var log = logger ?? NullLogger.Instance;
        var url = endpoint.EventsUriForLog();
        AriLog.EventsConnecting(log, url);
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(20);
        try
        {
            await socket.ConnectAsync(endpoint.EventsUri(), cancellationToken).ConfigureAwait(false);
        }
        catch (WebSocketException e) when (socket.HttpStatusCode != 0 && socket.HttpStatusCode != HttpStatusCode.SwitchingProtocols)
        {
            var status = socket.HttpStatusCode;
            socket.Dispose();
            AriLog.EventsRefused(log, url, (int)status);
            throw new AriException("GET /events (WebSocket upgrade)", status, null, StripUrl(e));
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException)
        {
            socket.Dispose();
            throw new AriConnectionLostException($"ARI events connection to {url} failed: {e.Message.Replace(endpoint.EventsUri().AbsoluteUri, url, StringComparison.Ordinal)}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        AriLog.EventsConnected(log, url);
        return new AriEventConnection(socket, log);
    }

    /// <summary>
    /// Yields events until the socket ends. Unknown types come as <see cref="UnknownAriEvent"/>; malformed or non-text
    /// messages are logged (event id 6215/6217) and skipped, never thrown.
    /// </summary>
    public async IAsyncEnumerable<AriEvent> ReadEventsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var buffer = new ArrayBufferWriter<byte>(16 * 1024);
        while (true)
        {
            buffer.ResetWrittenCount();
            ValueWebSocketReceiveResult result;
            var oversized = false;
            try
            {
                do
                {
                    result = await _socket.ReceiveAsync(buffer.GetMemory(8 * 1024), cancellationToken).ConfigureAwait(false);
                    if (buffer.WrittenCount + result.Count > MaxEventBytes)
                    {
                        oversized = true;
                        buffer.ResetWrittenCount();
                    }
                    else
                    {
                        buffer.Advance(result.Count);
                    }
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
            {
                AriLog.EventsLost(_logger, e);
                throw new AriConnectionLostException("ARI events socket lost: " + e.Message, e);
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                AriLog.EventsClosed(_logger, _socket.CloseStatus?.ToString(), _socket.CloseStatusDescription);
                await CloseQuietlyAsync().ConfigureAwait(false);
                yield break;
            }

            var sequence = ++_sequence;
            if (oversized)
            {
                AriLog.OversizedEvent(_logger, sequence, MaxEventBytes);
                continue;
            }

            if (result.MessageType != WebSocketMessageType.Text)
            {
                AriLog.NonTextMessage(_logger, sequence, result.MessageType.ToString());
                continue;
            }

            if (!AriEventParser.TryParse(buffer.WrittenSpan, out var ariEvent, out var error))
            {
                AriLog.MalformedEvent(_logger, sequence, error ?? "unknown", buffer.WrittenCount);
                continue;
            }

            if (ariEvent is UnknownAriEvent)
            {
                AriLog.UnknownEvent(_logger, sequence, ariEvent.Type);
            }

            yield return ariEvent!;
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await CloseQuietlyAsync().ConfigureAwait(false);
        _socket.Dispose();
    }

    private static Exception StripUrl(WebSocketException e) => new WebSocketException(e.WebSocketErrorCode, "WebSocket upgrade refused");

    private async Task CloseQuietlyAsync()
    {
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Closing a socket that is already going: nothing to do.
        }
    }
}
