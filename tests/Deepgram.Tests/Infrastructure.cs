using AiAgent.Emulators.Common;
using AiAgent.Emulators.Deepgram;
using AiAgent.Grains.Configuration;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Providers.Deepgram;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using AiAgent.Tests.Support;
using Microsoft.Extensions.Options;

namespace AiAgent.Deepgram.Tests;

/// <summary>
/// A provider session wired to an emulator through DI exactly as the silo does it (<c>AddDeepgramProvider</c>),
/// with a background reader collecting its events.
/// </summary>
internal sealed class Harness : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly List<ProviderEvent> _events = [];
    private readonly Task _reader;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _eventsCompleted;

    private Harness(DeepgramEmulator emulator, ServiceProvider services, IAgentSession session, string envVar, string apiKey, CapturingLoggerProvider logs)
    {
        Emulator = emulator;
        _services = services;
        Session = session;
        EnvVar = envVar;
        ApiKey = apiKey;
        Logs = logs;
        _reader = Task.Run(ReadEventsAsync);
    }

    public DeepgramEmulator Emulator { get; }

    /// <summary>The forwarder between session and emulator, when created with <c>proxied</c>.</summary>
    public TcpProxy? Proxy { get; private init; }

    public IAgentSession Session { get; }

    public string EnvVar { get; }

    public string ApiKey { get; }

    public CapturingLoggerProvider Logs { get; }

    public bool EventsCompleted => Volatile.Read(ref _eventsCompleted);

    public IReadOnlyList<ProviderEvent> Events { get { lock (_events) { return _events.ToArray(); } } }

    /// <summary>Starts an emulator and creates (not starts) a session against it (<paramref name="context"/> may make it a resumed call's).</summary>
    public static async Task<Harness> CreateAsync(
        AudioFormat callFormat,
        DeepgramEmulatorOptions? emulatorOptions = null,
        Action<DeepgramOptions>? configure = null,
        string? clientKey = null,
        bool setKey = true,
        TimeProvider? time = null,
        bool proxied = false,
        Func<AgentSessionContext, AgentSessionContext>? context = null)
    {
        emulatorOptions ??= new DeepgramEmulatorOptions();
        emulatorOptions.ApiKey ??= "emulator-key";
        var emulator = await DeepgramEmulator.StartAsync(emulatorOptions);
        var envVar = "DG_TEST_KEY_" + Guid.NewGuid().ToString("N");
        var key = clientKey ?? emulatorOptions.ApiKey;
        if (setKey)
        {
            Environment.SetEnvironmentVariable(envVar, key);
        }

        var options = new AgentOptions { DefaultProvider = DeepgramOptions.Name };
        var deepgram = options.Providers.Deepgram;
        deepgram.ApiKeyEnv = envVar;
        var proxy = proxied ? new TcpProxy(emulator.Port) : null;
        deepgram.BaseUrl = proxy is null ? emulator.BaseUrl : $"ws://127.0.0.1:{proxy.Port}";
        deepgram.ConnectTimeoutMs = 10_000;
        configure?.Invoke(deepgram);

        var logs = new CapturingLoggerProvider();
        var services = new ServiceCollection()
            .AddSingleton(time ?? TimeProvider.System)
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Trace).AddProvider(logs))
            .AddSingleton<IOptionsMonitor<AgentOptions>>(new TestOptionsMonitor<AgentOptions>(options))
            .AddDeepgramProvider()
            .BuildServiceProvider();
        var provider = services.GetServices<IAgentProvider>().Single(p => p.Name == DeepgramOptions.Name);
        var call = new AgentSessionContext(Guid.NewGuid(), callFormat);
        var session = provider.CreateSession(context?.Invoke(call) ?? call);
        return new Harness(emulator, services, session, envVar, key, logs) { Proxy = proxy };
    }

    public Task StartAsync() => Session.StartAsync(new CancellationTokenSource(Waits.Long).Token);

    /// <summary>The newest emulator connection.</summary>
    public DeepgramEmulatorSession Connection => Emulator.Sessions[^1];

    /// <summary>Waits for the first event of type <typeparamref name="T"/> (after <paramref name="skip"/> earlier events) matching <paramref name="match"/>.</summary>
    public async Task<T> WaitForAsync<T>(Func<T, bool>? match = null, int skip = 0, TimeSpan? timeout = null) where T : ProviderEvent
    {
        var deadline = DateTime.UtcNow + (timeout ?? Waits.Long);
        while (true)
        {
            var signal = Volatile.Read(ref _changed).Task;
            // Read "completed" before searching: an event added just before completion is then still seen.
            var completed = EventsCompleted;
            var found = Events.Skip(skip).OfType<T>().FirstOrDefault(e => match?.Invoke(e) ?? true);
            if (found is not null)
            {
                return found;
            }

            var remaining = deadline - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero || completed)
            {
                throw new TimeoutException($"no {typeof(T).Name} event; events so far: {Describe()}");
            }

            await Task.WhenAny(signal, Task.Delay(remaining));
        }
    }

    /// <summary>Waits until the event stream has completed (the session ended).</summary>
    public async Task WaitForCompletionAsync()
    {
        await _reader.WaitAsync(Waits.Long);
    }

    public int IndexOf(ProviderEvent e) => Events.ToList().IndexOf(e);

    public string Describe() => string.Join(", ", Events.Select(e => e switch
    {
        AgentAudio a => $"AgentAudio(u{a.UtteranceId},{a.Audio.Length})",
        AgentAudioDone d => $"AgentAudioDone(u{d.UtteranceId})",
        ProviderError p => $"ProviderError({p.Kind},{p.Code})",
        _ => e.GetType().Name,
    }));

    /// <summary>Sends the voice asset as caller speech in 20 ms frames (as fast as it is queued: the VAD counts samples, not wall time), then silence.</summary>
    public async Task SendSpeechThenSilenceAsync(int silenceMs = 1_500)
    {
        var format = Session.Formats.Input;
        var speech = CallerSpeech(format);
        await SendFramesAsync(speech);
        await SendFramesAsync(Silence(format, silenceMs));
    }

    public async Task SendFramesAsync(byte[] audio)
    {
        var frame = Session.Formats.Input.BytesFor(TimeSpan.FromMilliseconds(20));
        for (var offset = 0; offset < audio.Length; offset += frame)
        {
            await Session.SendAudioAsync(audio.AsMemory(offset, Math.Min(frame, audio.Length - offset)), CancellationToken.None);
        }
    }

    /// <summary>The emulator's reply voice, re-coded for the caller's side (speech-like audio for the VAD).</summary>
    public static byte[] CallerSpeech(AudioFormat format) =>
        DeepgramEmulatorAudio.Encode("caller", VoiceAssets.Reply[..(VoiceAssets.SampleRate * 2)], DeepgramSettingsBuilder.EncodingName(format.Encoding), format.SampleRate);

    public static byte[] Silence(AudioFormat format, int ms)
    {
        var bytes = new byte[format.BytesFor(TimeSpan.FromMilliseconds(ms))];
        Array.Fill(bytes, format.Encoding switch { AudioEncoding.Mulaw => (byte)0xFF, AudioEncoding.Alaw => (byte)0xD5, _ => (byte)0 });
        return bytes;
    }

    public async ValueTask DisposeAsync()
    {
        await Session.DisposeAsync();
        await _reader.WaitAsync(Waits.Long).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (Proxy is not null)
        {
            await Proxy.DisposeAsync();
        }

        await Emulator.DisposeAsync();
        await _services.DisposeAsync();
        Environment.SetEnvironmentVariable(EnvVar, null);
    }

    private async Task ReadEventsAsync()
    {
        await foreach (var e in Session.Events.ReadAllAsync())
        {
            lock (_events)
            {
                _events.Add(e);
            }

            Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }

        Volatile.Write(ref _eventsCompleted, true);
        Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
