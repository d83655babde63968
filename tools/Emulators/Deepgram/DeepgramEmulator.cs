using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiAgent.Emulators.Deepgram;

/// <summary>
/// Loopback emulator of the Deepgram Voice Agent v1 WebSocket API (docs/protocols/deepgram.md) on Kestrel:
/// <c>ws://127.0.0.1:{port}/v1/agent/converse</c>. Use it from tests
/// (<c>await using var emu = await DeepgramEmulator.StartAsync(new() { ... })</c>, then point
/// <c>providers.deepgram.base_url</c> at <see cref="BaseUrl"/>) or run it with
/// <c>dotnet run --project tools/Emulators -- deepgram --port 8766</c>.
/// </summary>
/// <remarks>
/// Faults to inject: a wrong key (HTTP 401 at upgrade), <see cref="InjectErrorAsync"/> (server <c>Error</c>, then
/// close), <see cref="DropConnections"/> (TCP drop without close), the idle timeout
/// (<see cref="DeepgramEmulatorOptions.IdleTimeout"/>: <c>CLIENT_MESSAGE_TIMEOUT</c>), and
/// <see cref="RequestFunctionCallAsync"/> (a <c>FunctionCallRequest</c> the client must answer).
/// </remarks>
public sealed partial class DeepgramEmulator : IAsyncDisposable
{
    /// <summary>The v1 path.</summary>
    public const string Path = "/v1/agent/converse";

    private readonly WebApplication _app;
    private readonly DeepgramEmulatorOptions _options;
    private readonly ILogger _logger;
    private readonly List<DeepgramEmulatorSession> _sessions = [];
    private TaskCompletionSource _changed = NewSignal();
    private int _rejectedAuthentications;

    private DeepgramEmulator(WebApplication app, DeepgramEmulatorOptions options, ILogger logger)
    {
        _app = app;
        _options = options;
        _logger = logger;
    }

    /// <summary>The <c>base_url</c> for the provider, e.g. <c>ws://127.0.0.1:41234</c>.</summary>
    public string BaseUrl { get; private set; } = string.Empty;

    /// <summary>The port listened on.</summary>
    public int Port { get; private set; }

    /// <summary>Connections accepted so far, oldest first.</summary>
    public IReadOnlyList<DeepgramEmulatorSession> Sessions { get { lock (_sessions) { return _sessions.ToArray(); } } }

    /// <summary>Upgrades refused with HTTP 401.</summary>
    public int RejectedAuthentications => Volatile.Read(ref _rejectedAuthentications);

    /// <summary>Starts an emulator; dispose it to stop.</summary>
    public static async Task<DeepgramEmulator> StartAsync(DeepgramEmulatorOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new DeepgramEmulatorOptions();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(DeepgramEmulator).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(options.Host), options.Port));
        var app = builder.Build();
        var logger = (options.LoggerFactory ?? NullLoggerFactory.Instance).CreateLogger("AiAgent.Emulators.Deepgram");
        var emulator = new DeepgramEmulator(app, options, logger);
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.Map(Path, emulator.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        emulator.Port = new Uri(address).Port;
        emulator.BaseUrl = $"ws://{options.Host}:{emulator.Port}";
        LogListening(logger, emulator.BaseUrl + Path);
        return emulator;
    }

    /// <summary>
    /// Runs from the command line until Ctrl+C: <c>--port N</c> (8766), <c>--host A</c>, <c>--api-key KEY</c>
    /// (any key when absent), <c>--idle-timeout-seconds S</c>, <c>--burst-factor F</c>, <c>--max-session-seconds S</c>,
    /// <c>--tool-call N:name:json</c> (repeatable; see <see cref="DeepgramEmulatorOptions.ToolCalls"/>),
    /// <c>--speak-before-tool-calls true</c>.
    /// </summary>
    public static async Task RunAsync(string[] args)
    {
        using var loggerFactory = LoggerFactory.Create(logging => logging.AddSimpleConsole(console => console.SingleLine = true));
        var options = new DeepgramEmulatorOptions { Port = 8766, ApiKey = null, LoggerFactory = loggerFactory };
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = args[i + 1];
            switch (args[i])
            {
                case "--tool-call": options.ToolCalls.Add(Common.ScriptedToolCall.Parse(value)); break;
                case "--speak-before-tool-calls": options.SpeakBeforeToolCalls = bool.Parse(value); break;
                case "--port": options.Port = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--host": options.Host = value; break;
                case "--api-key": options.ApiKey = value; break;
                case "--idle-timeout-seconds": options.IdleTimeout = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
                case "--burst-factor": options.BurstFactor = double.Parse(value, CultureInfo.InvariantCulture); break;
                case "--max-session-seconds": options.MaxSessionLength = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)); break;
                default: throw new ArgumentException($"unknown option {args[i]} (use --port, --host, --api-key, --idle-timeout-seconds, --burst-factor, --max-session-seconds, --tool-call N:name:json)");
            }
        }

        await using var emulator = await StartAsync(options).ConfigureAwait(false);
        await Console.Out.WriteLineAsync($"Deepgram Voice Agent emulator on {emulator.BaseUrl}{Path}; set providers.deepgram.base_url: {emulator.BaseUrl}").ConfigureAwait(false);
        var stop = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, _ => stop.TrySetResult());
        await stop.Task.ConfigureAwait(false);
    }

    /// <summary>Waits until <paramref name="condition"/> holds, re-checking whenever a session changes.</summary>
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
                throw new TimeoutException($"emulator condition not met within {timeout}: {what ?? "condition"}");
            }

            // A periodic re-check as well, for conditions on clocks rather than on messages.
            var wake = remaining < TimeSpan.FromMilliseconds(250) ? remaining : TimeSpan.FromMilliseconds(250);
            await Task.WhenAny(signal, Task.Delay(wake)).ConfigureAwait(false);
        }
    }

    /// <summary>Sends a server <c>Error</c> on the newest open connection, then closes it (as the service does).</summary>
    public Task InjectErrorAsync(string code = "INTERNAL_SERVER_ERROR", string description = "Injected by the emulator.")
    {
        var session = Sessions.LastOrDefault(s => s.IsOpen) ?? throw new InvalidOperationException("no open connection");
        session.Fail(code, description);
        return Task.CompletedTask;
    }

    /// <summary>Sends a server text frame exactly as given on the newest open connection (e.g. <c>History</c>, <c>LatencyReport</c>, a future type).</summary>
    public Task SendServerTextAsync(string json)
    {
        var session = Sessions.LastOrDefault(s => s.IsOpen) ?? throw new InvalidOperationException("no open connection");
        session.SendRawText(json);
        return Task.CompletedTask;
    }

    /// <summary>Drops every open connection without a close frame (a network failure).</summary>
    public void DropConnections()
    {
        foreach (var session in Sessions)
        {
            if (session.IsOpen)
            {
                session.Abort();
            }
        }
    }

    /// <summary>Sends a <c>FunctionCallRequest</c> on the newest open connection; returns the call id.</summary>
    public Task<string> RequestFunctionCallAsync(string name, string argumentsJson = "{}", bool clientSide = true)
    {
        var session = Sessions.LastOrDefault(s => s.IsOpen) ?? throw new InvalidOperationException("no open connection");
        return Task.FromResult(session.RequestFunctionCall(name, argumentsJson, clientSide));
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        DropConnections();
        await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    internal void NotifyChanged() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task HandleAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("WebSocket upgrade required", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (!IsAuthorized(authorization))
        {
            Interlocked.Increment(ref _rejectedAuthentications);
            LogRejected(_logger);
            NotifyChanged();
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"err_code":"INVALID_AUTH","err_msg":"Invalid credentials."}""", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var session = new DeepgramEmulatorSession(this, _options, _logger, authorization);
        lock (_sessions)
        {
            _sessions.Add(session);
        }

        NotifyChanged();
        await session.RunAsync(socket, context.RequestAborted).ConfigureAwait(false);
    }

    private bool IsAuthorized(string header)
    {
        var parts = header.Split(' ', 2, StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || parts[0] is not ("Token" or "Bearer") || parts[1].Length == 0)
        {
            return false;
        }

        return _options.ApiKey is null || string.Equals(parts[1], _options.ApiKey, StringComparison.Ordinal);
    }

    [LoggerMessage(5190, LogLevel.Information, "Deepgram emulator listening on {Endpoint}")]
    private static partial void LogListening(ILogger logger, string endpoint);

    [LoggerMessage(5191, LogLevel.Warning, "Deepgram emulator refused an upgrade: bad or missing Authorization (HTTP 401)")]
    private static partial void LogRejected(ILogger logger);
}
