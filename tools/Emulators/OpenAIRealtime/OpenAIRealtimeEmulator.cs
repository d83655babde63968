using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiAgent.Emulators.OpenAIRealtime;

/// <summary>A client event the emulator received (raw JSON, for assertions).</summary>
/// <param name="Connection">1-based connection index.</param>
/// <param name="Type">The event's <c>type</c>, or <c>(invalid)</c>.</param>
/// <param name="Json">The message as received.</param>
public sealed record ReceivedClientEvent(int Connection, string Type, string Json)
{
    /// <summary>The message parsed (the caller disposes).</summary>
    public JsonDocument Parse() => JsonDocument.Parse(Json);
}

/// <summary>A server event the emulator sent.</summary>
/// <param name="Connection">1-based connection index.</param>
/// <param name="Type">The event's <c>type</c>.</param>
/// <param name="Json">The message as sent.</param>
public sealed record SentServerEvent(int Connection, string Type, string Json);

/// <summary>What the emulator saw at a WebSocket upgrade.</summary>
/// <param name="Index">1-based connection index (rejected upgrades get one too).</param>
/// <param name="Path">The request path.</param>
/// <param name="Model">The <c>model</c> query parameter.</param>
/// <param name="Authorized">The bearer token was accepted.</param>
/// <param name="BetaHeader">An <c>OpenAI-Beta</c> header was present.</param>
public sealed record EmulatorConnection(int Index, string Path, string? Model, bool Authorized, bool BetaHeader);

/// <summary>
/// A loopback emulator of the OpenAI Realtime GA WebSocket API (docs/protocols/openai-realtime.md): ASP.NET Core Kestrel on
/// 127.0.0.1, <c>/v1/realtime?model=…</c>, bearer auth, <c>session.created</c>/<c>session.update</c>/
/// <c>session.updated</c> with GA shape checks, energy VAD over appended audio, responses whose audio (the
/// espeak-ng voice assets, in the negotiated format) arrives in bursts faster than real time, barge-in
/// cancellation and truncation, and injected faults. Errors are <c>error</c> events shaped like the real API's.
/// </summary>
public sealed class OpenAIRealtimeEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly EventLog<ReceivedClientEvent> _received = new();
    private readonly EventLog<SentServerEvent> _sent = new();
    private readonly EventLog<EmulatorConnection> _connections = new();
    private readonly Lock _toolGate = new();
    private readonly List<string> _toolShapeErrors = [];
    private readonly EventLog<Common.ToolCallResult> _toolResults = new();
    private readonly UpgradeFaultInjector _faults;
    private int _connectionCount;
    private int _responseCount;

    private OpenAIRealtimeEmulator(WebApplication app, OpenAIRealtimeEmulatorOptions options)
    {
        _app = app;
        Options = options;
        _faults = new UpgradeFaultInjector(options);
    }

    /// <summary>The options (faults may be changed between connections).</summary>
    public OpenAIRealtimeEmulatorOptions Options { get; }

    /// <summary>The bound port.</summary>
    public int Port { get; private set; }

    /// <summary>The base URL to configure as <c>base_url</c>: <c>ws://127.0.0.1:PORT/v1</c>.</summary>
    public string BaseUrl => $"ws://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}/v1";

    /// <summary>Client events received so far, in order.</summary>
    public IReadOnlyList<ReceivedClientEvent> ReceivedEvents => _received.Snapshot();

    /// <summary>Server events sent so far, in order.</summary>
    public IReadOnlyList<SentServerEvent> SentEvents => _sent.Snapshot();

    /// <summary>What was wrong with the client's answers to function calls (unknown or repeated <c>call_id</c>, a bad item, <c>response.create</c> before every output, a bad <c>session.tools</c>).</summary>
    public IReadOnlyList<string> ToolShapeErrors { get { lock (_toolGate) { return [.. _toolShapeErrors]; } } }

    /// <summary>The <c>function_call_output</c> items received for scripted calls, in order.</summary>
    public IReadOnlyList<Common.ToolCallResult> ToolResults => _toolResults.Snapshot();

    /// <summary>The upgrade faults drawn and taken effect so far (also <c>GET /emulator/faults</c>).</summary>
    public UpgradeFaultCounts FaultCounts => _faults.Snapshot();

    /// <summary>Upgrade attempts so far.</summary>
    public IReadOnlyList<EmulatorConnection> Connections => _connections.Snapshot();

    /// <summary>Starts an emulator on 127.0.0.1 (port 0 picks a free port).</summary>
    public static async Task<OpenAIRealtimeEmulator> StartAsync(OpenAIRealtimeEmulatorOptions options, CancellationToken cancellationToken = default) =>
        await StartAsync(options, LogLevel.Warning, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Runs the emulator from the command line until Ctrl+C: <c>openai [--port 8765] [--api-key KEY] [--chunk-interval-ms N]
    /// [--tool-call N:name:json]... [--fault-ratio R --fault-mix drop,stall,429,401 --fault-seed N --stall-ms MS --fault-after-deltas N]</c>;
    /// prints the fault counters at shutdown.
    /// </summary>
    public static async Task RunAsync(string[] args)
    {
        var options = new OpenAIRealtimeEmulatorOptions { Port = 8765, ApiKey = null };
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--port": options.Port = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--api-key": options.ApiKey = args[i + 1]; break;
                case "--chunk-interval-ms": options.AudioChunkIntervalMs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--tool-call": options.ToolCalls.Add(Common.ScriptedToolCall.Parse(args[i + 1])); break;
                case "--speak-before-tool-calls": options.SpeakBeforeToolCalls = bool.Parse(args[i + 1]); break;
                case "--fault-ratio": options.FaultRatio = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--fault-mix": options.FaultMix = UpgradeFaultNames.ParseMix(args[i + 1]); break;
                case "--fault-seed": options.FaultSeed = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--stall-ms": options.StallMs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--fault-after-deltas": options.DisconnectAfterDeltas = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"unknown option {args[i]} (use --port N, --api-key KEY, --chunk-interval-ms N, --tool-call N:name:json, --speak-before-tool-calls true|false, --fault-ratio R, --fault-mix drop,stall,429,401, --fault-seed N, --stall-ms MS, --fault-after-deltas N)");
            }
        }

        await using var emulator = await StartAsync(options, LogLevel.Information, CancellationToken.None).ConfigureAwait(false);
        await Console.Out.WriteLineAsync($"OpenAI Realtime emulator listening: base_url {emulator.BaseUrl} (key {(options.ApiKey is null ? "any" : "required")}); Ctrl+C stops").ConfigureAwait(false);

        // The host's console lifetime turns Ctrl+C and SIGTERM into a shutdown.
        await emulator._app.WaitForShutdownAsync().ConfigureAwait(false);
        await Console.Out.WriteLineAsync("upgrade faults: " + emulator.FaultCounts.ToJson()).ConfigureAwait(false);
    }

    /// <summary>Waits for a client event matching <paramref name="predicate"/> (already received or still to come).</summary>
    public Task<ReceivedClientEvent> WaitForClientEventAsync(Func<ReceivedClientEvent, bool> predicate, TimeSpan timeout) =>
        _received.WaitAsync(predicate, timeout);

    /// <summary>Waits for a client event of a type.</summary>
    public Task<ReceivedClientEvent> WaitForClientEventAsync(string type, TimeSpan timeout) =>
        _received.WaitAsync(e => e.Type == type, timeout);

    /// <summary>Waits for a function call's result (recorded after the client event that carried it is logged).</summary>
    public Task<Common.ToolCallResult> WaitForToolResultAsync(TimeSpan timeout) => _toolResults.WaitAsync(_ => true, timeout);

    /// <summary>Waits for a server event matching <paramref name="predicate"/>.</summary>
    public Task<SentServerEvent> WaitForServerEventAsync(Func<SentServerEvent, bool> predicate, TimeSpan timeout) =>
        _sent.WaitAsync(predicate, timeout);

    /// <summary>Waits for an upgrade attempt matching <paramref name="predicate"/>.</summary>
    public Task<EmulatorConnection> WaitForConnectionAsync(Func<EmulatorConnection, bool> predicate, TimeSpan timeout) =>
        _connections.WaitAsync(predicate, timeout);

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    internal void RecordReceived(ReceivedClientEvent e) => _received.Add(e);

    internal void RecordSent(SentServerEvent e) => _sent.Add(e);

    internal int NextResponseNumber() => Interlocked.Increment(ref _responseCount);

    internal void RecordToolShapeError(string error)
    {
        lock (_toolGate)
        {
            _toolShapeErrors.Add(error);
        }
    }

    internal void RecordToolResult(Common.ToolCallResult result) => _toolResults.Add(result);

    private static async Task<OpenAIRealtimeEmulator> StartAsync(OpenAIRealtimeEmulatorOptions options, LogLevel logLevel, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(logLevel);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, options.Port));
        var app = builder.Build();
        var emulator = new OpenAIRealtimeEmulator(app, options);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.Map("/v1/realtime", emulator.HandleAsync);
        app.MapGet("/emulator/faults", (HttpContext context) =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(emulator.FaultCounts.ToJson(), context.RequestAborted);
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        emulator.Port = new Uri(address).Port;
        return emulator;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var index = Interlocked.Increment(ref _connectionCount);
        var model = context.Request.Query["model"].ToString();
        var beta = context.Request.Headers.ContainsKey("OpenAI-Beta");
        var auth = context.Request.Headers.Authorization.ToString();
        var token = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth["Bearer ".Length..].Trim() : string.Empty;
        var authorized = token.Length > 0 && (Options.ApiKey is null || token == Options.ApiKey);
        _connections.Add(new EmulatorConnection(index, context.Request.Path, model.Length > 0 ? model : null, authorized, beta));

        if (Options.RefuseUpgrades)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("expected a WebSocket upgrade", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var authError = token.Length == 0
            ? ErrorBody("invalid_request_error", "missing_api_key", "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
            : ErrorBody("invalid_request_error", "invalid_api_key", $"Incorrect API key provided: {Mask(token)}. You can find your API key at https://platform.openai.com/account/api-keys.");
        var fault = _faults.Draw();
        if (fault == UpgradeFaultKind.Unauthorized)
        {
            // As a revoked key: the same refusal a wrong key gets.
            _faults.Fired(UpgradeFaultKind.Unauthorized);
            authError = ErrorBody("invalid_request_error", "invalid_api_key", $"Incorrect API key provided: {Mask(token)}. You can find your API key at https://platform.openai.com/account/api-keys.");
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, authError).ConfigureAwait(false);
            return;
        }

        if (fault == UpgradeFaultKind.RateLimited)
        {
            _faults.Fired(UpgradeFaultKind.RateLimited);
            await RefuseRateLimitedAsync(context).ConfigureAwait(false);
            return;
        }

        if (!authorized && Options.AuthFailure == AuthFailureMode.HttpUnauthorized)
        {
            await RefuseAsync(context, StatusCodes.Status401Unauthorized, authError).ConfigureAwait(false);
            return;
        }

        // A stalled connection must send nothing, not even the server's keep-alive pongs.
        using var socket = await context.WebSockets.AcceptWebSocketAsync(
            new WebSocketAcceptContext { KeepAliveInterval = fault == UpgradeFaultKind.Stall ? TimeSpan.Zero : null }).ConfigureAwait(false);
        var connection = new RealtimeEmulatorConnection(this, socket, context, index, model, fault);
        if (!authorized)
        {
            await connection.RejectAsync(authError).ConfigureAwait(false);
            return;
        }

        if (beta)
        {
            await connection.RejectAsync(ErrorBody("invalid_request_error", "beta_api_shape_disabled",
                "The Realtime Beta API is no longer supported. Please use /v1/realtime for the GA API.")).ConfigureAwait(false);
            return;
        }

        if (model.Length == 0)
        {
            await connection.RejectAsync(ErrorBody("invalid_request_error", "missing_required_parameter", "Missing required parameter: 'model'.")).ConfigureAwait(false);
            return;
        }

        await connection.RunAsync(context.RequestAborted).ConfigureAwait(false);
    }

    internal void FaultFired(UpgradeFaultKind kind) => _faults.Fired(kind);

    private static async Task RefuseAsync(HttpContext context, int status, JsonObject error)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject { ["error"] = error }.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// A 429 as the REST API sends it: the error object (<c>message</c>, <c>type</c> <c>requests</c>, <c>param</c>,
    /// <c>code</c> <c>rate_limit_exceeded</c>) and the documented <c>x-ratelimit-*</c> headers. The API documents no
    /// <c>retry-after</c>; the message says when to try again.
    /// </summary>
    private static Task RefuseRateLimitedAsync(HttpContext context)
    {
        context.Response.Headers["x-ratelimit-limit-requests"] = "5000";
        context.Response.Headers["x-ratelimit-remaining-requests"] = "0";
        context.Response.Headers["x-ratelimit-reset-requests"] = "12ms";
        var error = new JsonObject
        {
            ["message"] = "Rate limit reached for gpt-realtime in organization org-emulator on requests per min (RPM): Limit 5000, Used 5000, Requested 1. Please try again in 12ms. Visit https://platform.openai.com/account/rate-limits to learn more.",
            ["type"] = "requests",
            ["param"] = null,
            ["code"] = "rate_limit_exceeded",
        };
        return RefuseAsync(context, StatusCodes.Status429TooManyRequests, error);
    }

    private static JsonObject ErrorBody(string type, string code, string message) =>
        new() { ["type"] = type, ["code"] = code, ["message"] = message, ["param"] = null, ["event_id"] = null };

    // The real API masks the key it echoes; so do we (and the provider redacts even that).
    private static string Mask(string token) => token.Length <= 8 ? "sk-****" : $"{token[..3]}****{token[^4..]}";

    /// <summary>An append-only log with waiters, so tests wait on the event itself rather than sleeping.</summary>
    private sealed class EventLog<T>
    {
        private readonly List<T> _items = [];
        private readonly List<(Func<T, bool> Predicate, TaskCompletionSource<T> Tcs)> _waiters = [];
        private readonly Lock _gate = new();

        public void Add(T item)
        {
            lock (_gate)
            {
                _items.Add(item);
                for (var i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_waiters[i].Predicate(item))
                    {
                        _waiters[i].Tcs.TrySetResult(item);
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }

        public IReadOnlyList<T> Snapshot()
        {
            lock (_gate)
            {
                return [.. _items];
            }
        }

        public async Task<T> WaitAsync(Func<T, bool> predicate, TimeSpan timeout)
        {
            TaskCompletionSource<T> tcs;
            lock (_gate)
            {
                foreach (var item in _items)
                {
                    if (predicate(item))
                    {
                        return item;
                    }
                }

                tcs = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((predicate, tcs));
            }

            try
            {
                return await tcs.Task.WaitAsync(timeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                lock (_gate)
                {
                    _waiters.RemoveAll(w => w.Tcs == tcs);
                }

                throw new TimeoutException($"no matching {typeof(T).Name} within {timeout.TotalSeconds} s");
            }
        }
    }
}
