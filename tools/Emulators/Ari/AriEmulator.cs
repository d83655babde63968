using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiAgent.Emulators.Ari;

/// <summary>
/// Loopback emulator of Asterisk's ARI (docs/ari.md): REST under <c>http://127.0.0.1:{port}/ari/…</c> (basic auth or
/// <c>api_key</c>) and the events WebSocket <c>/ari/events?app=NAME&amp;api_key=user:pass</c> (401 on bad credentials),
/// Stasis channels and bridges with the status codes and event sequences recorded from Asterisk 22, and external media
/// that really dials the AudioSocket server. From tests: <c>await using var ari = await AriEmulator.StartAsync()</c>,
/// connect the application, then <see cref="PlaceCallAsync"/>. Offline: <c>dotnet run --project tools/Emulators -- ari</c>.
/// </summary>
public sealed partial class AriEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly AriEmulatorOptions _options;
    private readonly ILogger _logger;
    private readonly AriEventHub _hub = new();
    private readonly AriEmulatorCore _core;
    private readonly AriChannelRest _channelRest;
    private readonly AriBridgeRest _bridgeRest;
    private readonly AriOriginateRest _originateRest;
    private readonly List<AriEmulatorRequest> _requests = [];
    private readonly Dictionary<string, AriEmulatorCall> _calls = new(StringComparer.Ordinal);
    private TaskCompletionSource _changed = NewSignal();
    private int _rejected;

    private AriEmulator(WebApplication app, AriEmulatorOptions options, ILogger logger)
    {
        _app = app;
        _options = options;
        _logger = logger;
        _core = new AriEmulatorCore(options, _hub, logger, NotifyChanged);
        _channelRest = new AriChannelRest(_core);
        _bridgeRest = new AriBridgeRest(_core);
        _originateRest = new AriOriginateRest(_core);
    }

    /// <summary>The ARI root for the client, e.g. <c>http://127.0.0.1:41234/ari</c>.</summary>
    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>The port listened on.</summary>
    public int Port { get; private set; }

    /// <summary>The options it runs with (user name and password for the client).</summary>
    public AriEmulatorOptions Options => _options;

    /// <summary>Events sockets accepted so far.</summary>
    public int EventConnectionsAccepted => _hub.Accepted;

    /// <summary>Events sockets open now (a replaced one stays open, idle).</summary>
    public int OpenEventConnections => _hub.OpenCount;

    /// <summary>Requests and upgrades refused with 401.</summary>
    public int RejectedAuthentications => Volatile.Read(ref _rejected);

    /// <summary>True while an events socket is connected for <paramref name="app"/>.</summary>
    public bool IsRegistered(string app) => _hub.IsRegistered(app);

    /// <summary>Channels alive now.</summary>
    public IReadOnlyList<AriEmulatorChannelInfo> Channels => _core.Channels;

    /// <summary>Bridges alive now.</summary>
    public IReadOnlyList<AriEmulatorBridgeInfo> Bridges => _core.Bridges;

    /// <summary>Every event produced so far, delivered or not, in order.</summary>
    public IReadOnlyList<AriEmulatorEvent> Events => _core.Events;

    /// <summary>Every REST request answered so far.</summary>
    public IReadOnlyList<AriEmulatorRequest> Requests { get { lock (_requests) { return [.. _requests]; } } }

    /// <summary>Every channel the application originated (<c>POST /channels</c>), in order, gone ones too.</summary>
    public IReadOnlyList<AriEmulatorDialled> Dialled => _core.Dialled;

    /// <summary>The originated channel with id <paramref name="channelId"/>, if any.</summary>
    public AriEmulatorDialled? FindDialled(string channelId) => Dialled.FirstOrDefault(d => d.ChannelId == channelId);

    /// <summary>How the far end of <paramref name="endpoint"/> (<c>PJSIP/sales-desk</c>) behaves when originated to from now on (default: <see cref="AriEndpointScript.Rings"/>).</summary>
    public void ScriptEndpoint(string endpoint, AriEndpointScript script) => _core.ScriptEndpoint(endpoint, script);

    /// <summary><c>POST /channels/externalMedia</c> requests so far.</summary>
    public int ExternalMediaRequests => _core.Read(string.Empty, _ => _core.ExternalMediaRequests);

    /// <summary><c>POST /bridges</c> requests so far.</summary>
    public int BridgeRequests => _core.Read(string.Empty, _ => _core.BridgeRequests);

    /// <summary><c>addChannel</c> requests so far.</summary>
    public int AddChannelRequests => _core.Read(string.Empty, _ => _core.AddChannelRequests);

    /// <summary><c>externalMedia</c> requests with <c>data</c> = <paramref name="data"/> (the call id).</summary>
    public int ExternalMediaRequestsFor(Guid data) => _core.ExternalMediaRequestsFor(data);

    /// <summary>Starts an emulator; dispose it to stop.</summary>
    public static async Task<AriEmulator> StartAsync(AriEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AriEmulatorOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(AriEmulator).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(options.Host), options.Port));
        var app = builder.Build();
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("AiAgent.Emulators.Ari");
        var emulator = new AriEmulator(app, options, logger);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.Map("/ari/{**path}", emulator.HandleAsync);
        app.Map("/emulator/{**path}", emulator.HandleControlAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.Port = new Uri(address).Port;
        emulator.BaseUrl = $"http://{options.Host}:{emulator.Port}/ari";
        LogListening(logger, emulator.BaseUrl);
        return emulator;
    }

    /// <summary>
    /// Runs from the command line until Ctrl+C: <c>--port N</c> (8088), <c>--host A</c>, <c>--user U</c>; the password
    /// comes from the environment variable <c>ARI_EMULATOR_PASSWORD</c> (default <c>emulator-secret</c>).
    /// </summary>
    public static async Task RunAsync(string[] args)
    {
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(console => console.SingleLine = true));
        var options = new AriEmulatorOptions { Port = 8088, LoggerFactory = loggerFactory };
        options.Password = Environment.GetEnvironmentVariable("ARI_EMULATOR_PASSWORD") is { Length: > 0 } password ? password : options.Password;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--port": options.Port = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--host": options.Host = value; break;
                case "--user": options.UserName = value; break;
                default: throw new ArgumentException($"unknown option {args[i]} (use --port, --host, --user)");
            }
        }

        await using var emulator = await StartAsync(options).ConfigureAwait(false);
        await Console.Out.WriteLineAsync($"ARI emulator on {emulator.BaseUrl} (user {options.UserName}; password from ARI_EMULATOR_PASSWORD); place a caller with POST http://{options.Host}:{emulator.Port}/emulator/calls?app=NAME (docs/ari.md)").ConfigureAwait(false);
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => stop.TrySetResult());
        await stop.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Places a caller into <c>Stasis(app, args…)</c>: state Ring, <c>StasisStart</c>. Throws when no events socket is
    /// connected for <paramref name="app"/> (Asterisk's Stasis() fails then).
    /// </summary>
    public Task<AriEmulatorCall> PlaceCallAsync(string app, IReadOnlyList<string>? args = null, AriCallOptions? callOptions = null)
    {
        var call = _core.PlaceCall(app, args ?? ["arg1"], callOptions ?? new AriCallOptions());
        lock (_calls)
        {
            _calls[call.ChannelId] = call;
        }

        return Task.FromResult(call);
    }

    /// <summary>The caller placed with channel id <paramref name="channelId"/>, if any.</summary>
    public AriEmulatorCall? FindCall(string channelId)
    {
        lock (_calls)
        {
            return _calls.GetValueOrDefault(channelId);
        }
    }

    /// <summary>Sends <paramref name="text"/> as one text message on the application's newest events socket (malformed or future events); false when none is connected.</summary>
    public bool SendRawEvent(string app, string text) => _hub.Publish(app, text);

    /// <summary>Drops every events socket: a TCP reset, or a close frame when <paramref name="graceful"/>. Channels stay.</summary>
    public void DropEventConnections(bool graceful = false) => _hub.DropAll(graceful);

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking whenever something changes.</summary>
    /// <exception cref="TimeoutException">It did not hold within <paramref name="timeout"/>.</exception>
    public async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string? what = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var signal = Volatile.Read(ref _changed).Task;
            if (condition())
            {
                return;
            }

            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                throw new TimeoutException($"ARI emulator condition not met within {timeout}: {what ?? "condition"}");
            }

            // A periodic re-check as well, for conditions on media counters rather than on events.
            var wake = remaining < TimeSpan.FromMilliseconds(100) ? remaining : TimeSpan.FromMilliseconds(100);
            await Task.WhenAny(signal, Task.Delay(wake)).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        _hub.DropAll(graceful: false);
        await _core.HangUpEverythingAsync().ConfigureAwait(false);
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void NotifyChanged() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private bool IsAuthorized(HttpRequest request)
    {
        string? presented = null;
        if (request.Query.TryGetValue("api_key", out var key))
        {
            presented = key.ToString();
        }
        else if (request.Headers.Authorization.ToString() is { Length: > 6 } header && header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                presented = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            }
            catch (FormatException)
            {
                presented = null;
            }
        }

        return string.Equals(presented, _options.UserName + ":" + _options.Password, StringComparison.Ordinal);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var path = "/" + (context.Request.RouteValues["path"] as string ?? string.Empty).TrimEnd('/');
        if (!IsAuthorized(context.Request))
        {
            Interlocked.Increment(ref _rejected);
            LogRejected(_logger, context.Request.Method, path);
            NotifyChanged();
            await WriteAsync(context, path, RestResult.Error(401, "Authentication required")).ConfigureAwait(false);
            return;
        }

        if (path == "/events")
        {
            var app = context.Request.Query["app"].ToString();
            if (!context.WebSockets.IsWebSocketRequest || app.Length == 0)
            {
                await WriteAsync(context, path, RestResult.Error(400, "app and a WebSocket upgrade are required")).ConfigureAwait(false);
                return;
            }

            using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            LogEventsConnected(_logger, app);
            await _hub.RunAsync(app, socket, context, NotifyChanged).ConfigureAwait(false);
            return;
        }

        var method = context.Request.Method;
        var query = context.Request.Query;
        string? Q(string name) => query.TryGetValue(name, out var v) ? v.ToString() : null;
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (method == "POST" && path == "/channels/externalMedia")
        {
            var (result, channel) = await _channelRest.CreateExternalMediaAsync(query, context.RequestAborted).ConfigureAwait(false);
            await WriteAsync(context, path, result).ConfigureAwait(false);
            if (channel is not null)
            {
                await context.Response.CompleteAsync().ConfigureAwait(false);
                await _channelRest.ActivateExternalMediaAsync(channel).ConfigureAwait(false);
            }

            return;
        }

        if (method == "POST" && parts is ["channels"] or ["channels", _] && (parts.Length == 1 || parts[1] != "externalMedia"))
        {
            var (result, dialled) = _originateRest.Originate(query, parts.Length == 2 ? parts[1] : null);
            await WriteAsync(context, path, result).ConfigureAwait(false);
            if (dialled is not null)
            {
                // As with external media: the 200 first, then the dial's events.
                await context.Response.CompleteAsync().ConfigureAwait(false);
                _core.RingDialled(dialled);
            }

            return;
        }

        var answer = (method, parts) switch
        {
            ("GET", ["channels"]) => _channelRest.ListChannels(),
            ("GET", ["channels", var id]) => _channelRest.GetChannel(id),
            ("DELETE", ["channels", var id]) => _channelRest.Hangup(id, Q("reason"), Q("reason_code")),
            ("POST", ["channels", var id, "answer"]) => _channelRest.Answer(id),
            ("POST", ["channels", var id, "continue"]) => _channelRest.Continue(id, Q("context"), Q("extension"), Q("priority")),
            ("POST", ["channels", var id, "variable"]) => _channelRest.SetChannelVariable(id, Q("variable"), Q("value")),
            ("GET", ["channels", var id, "variable"]) => _channelRest.GetChannelVariable(id, Q("variable")),
            ("POST", ["channels", var id, "moh"]) => _channelRest.Moh(id, on: true),
            ("DELETE", ["channels", var id, "moh"]) => _channelRest.Moh(id, on: false),
            ("POST", ["channels", _, "redirect"]) => Q("endpoint") is null ? RestResult.Error(400, "Required parameter endpoint not provided") : RestResult.Error(501, "redirect is not emulated"),
            ("POST", ["bridges"]) => _bridgeRest.CreateBridge(Q("type")),
            ("GET", ["bridges"]) => _bridgeRest.ListBridges(),
            ("GET", ["bridges", var id]) => _bridgeRest.GetBridge(id),
            ("DELETE", ["bridges", var id]) => _bridgeRest.DestroyBridge(id),
            ("POST", ["bridges", var id, "addChannel"]) => _bridgeRest.AddChannels(id, Q("channel")),
            ("POST", ["bridges", var id, "removeChannel"]) => _bridgeRest.RemoveChannels(id, Q("channel")),
            ("POST", ["applications", var app, "subscription"]) => _bridgeRest.Subscribe(app, Q("eventSource")),
            _ => RestResult.Error(404, "Resource not found"),
        };
        await WriteAsync(context, path, answer).ConfigureAwait(false);
    }

    private async Task HandleControlAsync(HttpContext context)
    {
        var path = "/emulator/" + (context.Request.RouteValues["path"] as string ?? string.Empty).TrimEnd('/');
        var result = IsAuthorized(context.Request)
            ? await AriEmulatorControl.HandleAsync(this, context.Request.Method, path.Split('/', StringSplitOptions.RemoveEmptyEntries)[1..], context.Request.Query).ConfigureAwait(false)
            : RestResult.Error(401, "Authentication required");
        await WriteAsync(context, path, result).ConfigureAwait(false);
    }

    private async Task WriteAsync(HttpContext context, string path, RestResult result)
    {
        var query = string.Join('&', context.Request.Query.Where(q => q.Key != "api_key").Select(q => $"{q.Key}={q.Value}"));
        lock (_requests)
        {
            _requests.Add(new AriEmulatorRequest(context.Request.Method, path, query.Length == 0 ? string.Empty : "?" + query, result.Status));
        }

        NotifyChanged();
        context.Response.StatusCode = result.Status;
        if (result.Json is not null)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(result.Json, context.RequestAborted).ConfigureAwait(false);
        }
    }

    [LoggerMessage(6295, LogLevel.Information, "ARI emulator listening on {BaseUrl}")]
    private static partial void LogListening(ILogger logger, string baseUrl);

    [LoggerMessage(6296, LogLevel.Warning, "ARI emulator refused {Method} {Path}: bad or missing credentials (401)")]
    private static partial void LogRejected(ILogger logger, string method, string path);

    [LoggerMessage(6297, LogLevel.Information, "ARI emulator: events socket connected for application {Application}")]
    private static partial void LogEventsConnected(ILogger logger, string application);
}
