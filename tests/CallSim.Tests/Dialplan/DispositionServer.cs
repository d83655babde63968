using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AiAgent.CallSim.Tests.Dialplan;

/// <summary>
/// A loopback HTTP server standing in for the platform's disposition endpoint: answers every GET with the next
/// status and body from <c>answers</c> (the last one repeats), and records the paths asked for.
/// </summary>
internal sealed class DispositionServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly (int Status, string Body)[] _answers;
    private readonly ConcurrentQueue<string> _paths = new();
    private int _served;

    public DispositionServer(params (int Status, string Body)[] answers)
    {
        _answers = answers;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = ServeAsync();
    }

    public int Port { get; }

    public IReadOnlyList<string> Paths => [.. _paths];

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task ServeAsync()
    {
        try
        {
            while (true)
            {
                var context = await _listener.GetContextAsync();
                _paths.Enqueue(context.Request.Url!.AbsolutePath);
                var (status, body) = _answers[Math.Min(Interlocked.Increment(ref _served) - 1, _answers.Length - 1)];
                context.Response.StatusCode = status;
                context.Response.ContentType = "text/plain; charset=utf-8";
                var bytes = Encoding.UTF8.GetBytes(body);
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
        {
            // Stopped.
        }
    }

    public void Dispose() => _listener.Close();
}
