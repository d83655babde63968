using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AiAgent.Tests.Support;

namespace AiAgent.Deepgram.Tests.Transport;

/// <summary>
/// A Kestrel WebSocket server on loopback for the transport's tests: every upgrade is answered per
/// <see cref="Reject"/> (an HTTP status) or accepted and recorded as a <see cref="ServerSocket"/>.
/// </summary>
internal sealed class LoopbackWebSocketServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ServerSocket> _sockets = new();
    private int _upgrades;

    private LoopbackWebSocketServer(WebApplication app) => _app = app;

    /// <summary>The <c>ws://</c> URL.</summary>
    public Uri Endpoint { get; private set; } = null!;

    /// <summary>The status to refuse the n-th (0-based) upgrade with, or null to accept it.</summary>
    public Func<int, int?> Reject { get; set; } = _ => null;

    /// <summary>Upgrades attempted so far (refused ones included).</summary>
    public int Upgrades => Volatile.Read(ref _upgrades);

    /// <summary>Accepted sockets in order.</summary>
    public IReadOnlyList<ServerSocket> Sockets => [.. _sockets];

    /// <summary>The <c>X-Test</c> request header of the last upgrade.</summary>
    public string? LastTestHeader { get; private set; }

    public static async Task<LoopbackWebSocketServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new LoopbackWebSocketServer(app);
        app.UseWebSockets();
        app.Map("/ws", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Endpoint = new Uri($"ws://127.0.0.1:{new Uri(address).Port}/ws");
        return server;
    }

    /// <summary>Waits for the n-th (0-based) accepted socket.</summary>
    public async Task<ServerSocket> SocketAsync(int index)
    {
        await Waits.UntilAsync(() => _sockets.Count > index, what: $"server socket {index}");
        return Sockets[index];
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var socket in Sockets)
        {
            socket.Abort();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var index = Interlocked.Increment(ref _upgrades) - 1;
        LastTestHeader = context.Request.Headers["X-Test"].ToString();
        if (Reject(index) is { } status)
        {
            context.Response.StatusCode = status;
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        var socket = new ServerSocket(await context.WebSockets.AcceptWebSocketAsync());
        _sockets.Enqueue(socket);
        await socket.RunAsync();
    }
}

/// <summary>The server side of one accepted socket: records what the client sends and answers its close.</summary>
internal sealed class ServerSocket(WebSocket socket)
{
    private readonly ConcurrentQueue<(WebSocketMessageType Type, byte[] Data)> _received = new();
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _sendLock = new(1, 1);

    public IReadOnlyList<(WebSocketMessageType Type, byte[] Data)> Received => [.. _received];

    public IEnumerable<string> Texts => Received.Where(m => m.Type == WebSocketMessageType.Text).Select(m => System.Text.Encoding.UTF8.GetString(m.Data));

    public IEnumerable<byte[]> Binaries => Received.Where(m => m.Type == WebSocketMessageType.Binary).Select(m => m.Data);

    /// <summary>The client's close status and description, once it closed.</summary>
    public (WebSocketCloseStatus? Status, string? Description)? ClientClose { get; private set; }

    /// <summary>Completes when the socket is done.</summary>
    public Task Ended => _ended.Task;

    public async Task SendTextAsync(string text)
    {
        await _sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(System.Text.Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public async Task CloseAsync(WebSocketCloseStatus status = WebSocketCloseStatus.NormalClosure, string description = "bye")
    {
        await _sendLock.WaitAsync();
        try
        {
            await socket.CloseOutputAsync(status, description, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public void Abort()
    {
        try
        {
            socket.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The server already finished with it.
        }
    }

    internal async Task RunAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var count = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
                    count += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    ClientClose = (socket.CloseStatus, socket.CloseStatusDescription);
                    if (socket.State == WebSocketState.CloseReceived)
                    {
                        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "ok", CancellationToken.None);
                    }

                    return;
                }

                _received.Enqueue((result.MessageType, buffer.AsSpan(0, count).ToArray()));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            _ended.TrySetResult();
        }
    }
}
