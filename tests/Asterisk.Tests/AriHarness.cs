using System.Threading.Channels;
using AiAgent.Emulators.Ari;
using AiAgent.Grains.Asterisk.Ari;
using Microsoft.Extensions.Logging;

namespace AiAgent.Asterisk.Tests;

/// <summary>An ARI emulator, a client for it and one events connection collecting events into a queue.</summary>
internal sealed class AriHarness : IAsyncDisposable
{
    public const string App = "aiagent";

    private readonly Channel<AriEvent> _events = Channel.CreateUnbounded<AriEvent>();
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _http = new();
    private Task _pump = Task.CompletedTask;

    private AriHarness(AriEmulator emulator, CapturingLoggerProvider logs, ILoggerFactory loggerFactory)
    {
        Emulator = emulator;
        Logs = logs;
        LoggerFactory = loggerFactory;
        Endpoint = new AriEndpoint(new Uri(emulator.BaseUrl), App, emulator.Options.UserName, emulator.Options.Password);
        Client = new AriClient(_http, Endpoint, loggerFactory.CreateLogger<AriClient>());
    }

    public AriEmulator Emulator { get; }

    public CapturingLoggerProvider Logs { get; }

    public ILoggerFactory LoggerFactory { get; }

    public AriEndpoint Endpoint { get; }

    public AriClient Client { get; }

    public AriEventConnection? Connection { get; private set; }

    public static async Task<AriHarness> StartAsync(bool connect = true)
    {
        var logs = new CapturingLoggerProvider();
        var loggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var emulator = await AriEmulator.StartAsync(new AriEmulatorOptions { LoggerFactory = loggerFactory });
        var harness = new AriHarness(emulator, logs, loggerFactory);
        if (connect)
        {
            await harness.ConnectAsync();
        }

        return harness;
    }

    public async Task ConnectAsync()
    {
        Connection = await AriEventConnection.ConnectAsync(Endpoint, LoggerFactory.CreateLogger("ari"), _stop.Token);
        var connection = Connection;
        _pump = Task.Run(async () =>
        {
            await foreach (var e in connection.ReadEventsAsync(_stop.Token))
            {
                await _events.Writer.WriteAsync(e);
            }
        });
        await Emulator.WaitUntilAsync(() => Emulator.IsRegistered(App), Waits.Long, "events socket registered");
    }

    /// <summary>The pump of the current connection (completes or faults when the socket ends).</summary>
    public Task Pump => _pump;

    /// <summary>The next event, waiting up to <see cref="Waits.Long"/>.</summary>
    public async Task<AriEvent> NextAsync()
    {
        using var timeout = new CancellationTokenSource(Waits.Long);
        return await _events.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>The next event, which must be a <typeparamref name="T"/>.</summary>
    public async Task<T> NextAsync<T>() where T : AriEvent => Assert.IsType<T>(await NextAsync());

    /// <summary>Reads events until one of type <typeparamref name="T"/> matching <paramref name="match"/>; returns all read.</summary>
    public async Task<List<AriEvent>> UntilAsync<T>(Func<T, bool>? match = null) where T : AriEvent
    {
        var read = new List<AriEvent>();
        while (true)
        {
            var e = await NextAsync();
            read.Add(e);
            if (e is T t && (match is null || match(t)))
            {
                return read;
            }
        }
    }

    /// <summary>Events already queued, without waiting.</summary>
    public List<AriEvent> Drain()
    {
        var list = new List<AriEvent>();
        while (_events.Reader.TryRead(out var e))
        {
            list.Add(e);
        }

        return list;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _pump;
        }
        catch (Exception e) when (e is OperationCanceledException or AriConnectionLostException)
        {
        }

        if (Connection is not null)
        {
            await Connection.DisposeAsync();
        }

        await Emulator.DisposeAsync();
        _http.Dispose();
        LoggerFactory.Dispose();
        _stop.Dispose();
    }
}
