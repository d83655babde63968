using System.Net;
using System.Text;
using AiAgent.Grains.Asterisk.Ari;

namespace AiAgent.Asterisk.Tests;

/// <summary>The REST client against a loopback HTTP server that answers what Asterisk would not: a proxy's page, bad JSON, nothing.</summary>
public sealed class AriClientFaultTests
{
    [Fact]
    public async Task A_non_JSON_error_body_gives_the_status_without_a_message()
    {
        await using var server = await FixedServer.StartAsync(502, "text/html", "<html>Bad Gateway</html>");
        var e = await Assert.ThrowsAsync<AriException>(() => server.Client.AnswerAsync("1.1"));
        Assert.Equal(HttpStatusCode.BadGateway, e.StatusCode);
        Assert.Null(e.AriMessage);
        Assert.Equal("POST /channels/{id}/answer", e.Operation);
    }

    [Fact]
    public async Task A_success_with_a_body_that_is_not_the_expected_JSON_is_an_AriException()
    {
        await using var server = await FixedServer.StartAsync(200, "application/json", "{not json");
        var e = await Assert.ThrowsAsync<AriException>(() => server.Client.ListChannelsAsync());
        Assert.Equal(HttpStatusCode.OK, e.StatusCode);
    }

    [Fact]
    public async Task A_request_is_cancelled_by_its_token()
    {
        await using var server = await FixedServer.StartAsync(200, "application/json", "[]", hang: true);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => server.Client.ListChannelsAsync(cancel.Token));
    }

    [Fact]
    public async Task Requests_carry_basic_auth_and_the_documented_query()
    {
        await using var server = await FixedServer.StartAsync(204, null, string.Empty);
        await server.Client.ContinueAsync("1796186398.9", "sales", "200", 1);
        await server.Client.AddChannelsAsync("b-1", ["1.1", "1.2"]);
        Assert.Equal(
            ["POST /ari/channels/1796186398.9/continue?context=sales&extension=200&priority=1", "POST /ari/bridges/b-1/addChannel?channel=1.1,1.2"],
            server.Requests);
        Assert.All(server.Authorizations, a => Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("u:p")), a));
    }

    /// <summary>An <see cref="HttpListener"/> on loopback answering every request the same way.</summary>
    private sealed class FixedServer : IAsyncDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly HttpClient _http = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _loop = Task.CompletedTask;

        public AriClient Client { get; private set; } = null!;

        public List<string> Requests { get; } = [];

        public List<string> Authorizations { get; } = [];

        public static Task<FixedServer> StartAsync(int status, string? contentType, string body, bool hang = false)
        {
            var server = new FixedServer();
            var port = FreePort();
            server._listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            server._listener.Start();
            server.Client = new AriClient(server._http, new AriEndpoint(new Uri($"http://127.0.0.1:{port}/ari"), "aiagent", "u", "p"));
            server._loop = Task.Run(async () =>
            {
                while (!server._stop.IsCancellationRequested)
                {
                    HttpListenerContext context;
                    try
                    {
                        context = await server._listener.GetContextAsync();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }

                    lock (server.Requests)
                    {
                        server.Requests.Add($"{context.Request.HttpMethod} {context.Request.RawUrl}");
                        server.Authorizations.Add(context.Request.Headers["Authorization"] ?? string.Empty);
                    }

                    if (hang)
                    {
                        continue;
                    }

                    context.Response.StatusCode = status;
                    if (contentType is not null)
                    {
                        context.Response.ContentType = contentType;
                    }

                    var bytes = Encoding.UTF8.GetBytes(body);
                    await context.Response.OutputStream.WriteAsync(bytes);
                    context.Response.Close();
                }
            });
            return Task.FromResult(server);
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Close();
            await _loop;
            _http.Dispose();
            _stop.Dispose();
        }

        private static int FreePort()
        {
            using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
    }
}
