using AiAgent.Emulators.Common;
using AiAgent.Emulators.OpenAIRealtime;
using AiAgent.Grains.Configuration;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Providers.OpenAIRealtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using AiAgent.Tests.Support;

namespace AiAgent.OpenAIRealtime.Tests.Support;

/// <summary>
/// A fake clock for the sessions' timers (and the emulator's session limit), starting at the wall-clock time so
/// <c>expires_at</c> reads as usual. Tests move it past an answer's playout instead of waiting for it.
/// </summary>
internal static class TestClock
{
    /// <summary>Longer than any test answer's playout plus the final transcript's grace.</summary>
    public static readonly TimeSpan PastPlayout = TimeSpan.FromSeconds(30);

    public static FakeTimeProvider StartingNow() => new(DateTimeOffset.UtcNow);
}

/// <summary>Reads a session's events in order, remembering all of them, and waits for the one a test needs.</summary>
internal sealed class EventReader(IAgentSession session)
{
    private readonly List<ProviderEvent> _seen = [];

    public IReadOnlyList<ProviderEvent> Seen => _seen;

    public async Task<T> NextAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null)
        where T : ProviderEvent
    {
        using var cts = new CancellationTokenSource(timeout ?? Waits.Long);
        try
        {
            while (await session.Events.WaitToReadAsync(cts.Token))
            {
                while (session.Events.TryRead(out var e))
                {
                    _seen.Add(e);
                    if (e is T t && (predicate is null || predicate(t)))
                    {
                        return t;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {typeof(T).Name} within {(timeout ?? Waits.Long).TotalSeconds} s; seen: {Describe()}");
        }

        throw new InvalidOperationException($"events completed without a {typeof(T).Name}; seen: {Describe()}");
    }

    /// <summary>
    /// The first matching event already seen, or the next one to arrive: for events whose relative order the
    /// protocol does not fix (e.g. an utterance's final transcript and its AgentAudioDone).
    /// </summary>
    public Task<T> SeenOrNextAsync<T>(Func<T, bool>? predicate = null, TimeSpan? timeout = null)
        where T : ProviderEvent
    {
        var seen = _seen.OfType<T>().FirstOrDefault(e => predicate is null || predicate(e));
        return seen is not null ? Task.FromResult(seen) : NextAsync(predicate, timeout);
    }

    /// <summary>Reads until the channel completes (after SessionEnded).</summary>
    public async Task DrainAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Waits.Long);
        await foreach (var e in session.Events.ReadAllAsync(cts.Token))
        {
            _seen.Add(e);
        }
    }

    public string Describe() => string.Join(", ", _seen.Select(e => e switch
    {
        ProviderError pe => $"ProviderError({pe.Kind},{pe.Code},{pe.Fatal})",
        AgentAudio a => $"AgentAudio({a.UtteranceId},{a.Audio.Length})",
        _ => e.GetType().Name,
    }));
}

/// <summary>An emulator plus a provider configured against it, with a log capture.</summary>
internal sealed class Harness : IAsyncDisposable
{
    private static readonly ServiceProvider s_meters = new ServiceCollection().AddMetrics().BuildServiceProvider();

    private Harness(OpenAIRealtimeEmulator emulator, OpenAIRealtimeOptions options, string keyEnv, string key, TimeProvider time)
    {
        Emulator = emulator;
        Options = options;
        KeyEnv = keyEnv;
        Key = key;
        AgentOptions = new AgentOptions { DefaultProvider = OpenAIRealtimeOptions.Name };
        AgentOptions.Providers.OpenAIRealtime = options;
        Monitor = new TestOptionsMonitor<AgentOptions>(AgentOptions);
        LoggerFactory = Microsoft.Extensions.Logging.LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs));
        Time = time;
        Provider = new OpenAIRealtimeProvider(Monitor, LoggerFactory, time, new AiAgent.Grains.Tools.ToolMetrics(s_meters.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));
    }

    public OpenAIRealtimeEmulator Emulator { get; }

    public OpenAIRealtimeOptions Options { get; }

    public string KeyEnv { get; }

    /// <summary>The API key in the environment (what the emulator accepts unless a test changes it).</summary>
    public string Key { get; }

    public AgentOptions AgentOptions { get; }

    public TestOptionsMonitor<AgentOptions> Monitor { get; }

    public CapturingLoggerProvider Logs { get; } = new();

    public ILoggerFactory LoggerFactory { get; }

    public OpenAIRealtimeProvider Provider { get; }

    /// <summary>The clock of the provider's sessions and of the emulator's session limit.</summary>
    public TimeProvider Time { get; }

    /// <summary>
    /// Starts an emulator and a provider whose key lives in a unique environment variable (tests run in parallel
    /// and must not share one). <paramref name="time"/> (default the system clock) drives the sessions' timers and the
    /// emulator's session limit; a <c>FakeTimeProvider</c> lets a test step through a session cap.
    /// </summary>
    public static async Task<Harness> StartAsync(Action<OpenAIRealtimeEmulatorOptions>? emulator = null, Action<OpenAIRealtimeOptions>? provider = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var key = "sk-test-" + Guid.NewGuid().ToString("N");
        var keyEnv = "AIAGENT_TEST_OPENAI_KEY_" + Guid.NewGuid().ToString("N")[..12].ToUpperInvariant();
        Environment.SetEnvironmentVariable(keyEnv, key);
        var emulatorOptions = new OpenAIRealtimeEmulatorOptions { ApiKey = key, Time = time };
        emulator?.Invoke(emulatorOptions);
        var emu = await OpenAIRealtimeEmulator.StartAsync(emulatorOptions);
        var options = new OpenAIRealtimeOptions
        {
            ApiKeyEnv = keyEnv,
            BaseUrl = emu.BaseUrl,
            Instructions = "You are a test agent.",
            Greeting = "Greet the caller.",
            ConnectTimeoutMs = 15_000,
        };
        provider?.Invoke(options);
        return new Harness(emu, options, keyEnv, key, time);
    }

    public OpenAIRealtimeSession CreateSession(AudioFormat callFormat, Guid? callId = null) =>
        CreateSession(new AgentSessionContext(callId ?? Guid.NewGuid(), callFormat));

    /// <summary>A session for <paramref name="context"/> (e.g. a call resumed with its prior conversation).</summary>
    public OpenAIRealtimeSession CreateSession(AgentSessionContext context) =>
        (OpenAIRealtimeSession)Provider.CreateSession(context);

    public async ValueTask DisposeAsync()
    {
        await Emulator.DisposeAsync();
        LoggerFactory.Dispose();
        Environment.SetEnvironmentVariable(KeyEnv, null);
    }
}

/// <summary>Caller audio made from the 24 kHz voice assets, in any provider input format.</summary>
internal static class CallerAudio
{
    public static RealtimeAudioFormatType ToEmulatorFormat(AudioFormat format) => format.Encoding switch
    {
        AudioEncoding.Mulaw => RealtimeAudioFormatType.Pcmu,
        AudioEncoding.Alaw => RealtimeAudioFormatType.Pcma,
        _ => RealtimeAudioFormatType.Pcm24k,
    };

    /// <summary>Speech (the greeting asset) followed by <paramref name="silenceMs"/> of silence, in <paramref name="format"/>.</summary>
    public static byte[] SpeechThenSilence(AudioFormat format, int silenceMs = 1_200)
    {
        var speech = RealtimeEmulatorAudio.FromPcm24k(VoiceAssets.Greeting, ToEmulatorFormat(format));
        var silence = new byte[format.BytesFor(TimeSpan.FromMilliseconds(silenceMs))];
        Array.Fill(silence, format.Encoding switch { AudioEncoding.Mulaw => (byte)0xFF, AudioEncoding.Alaw => (byte)0xD5, _ => (byte)0 });
        return [.. speech, .. silence];
    }

    /// <summary>Sends audio in 20 ms chunks, reusing one buffer (the session must copy before returning); returns the chunk count.</summary>
    public static async Task<int> SendAsync(IAgentSession session, byte[] audio)
    {
        var chunks = 0;
        var chunk = session.Formats.Input.BytesFor(TimeSpan.FromMilliseconds(20));
        var buffer = new byte[chunk];
        for (var offset = 0; offset < audio.Length; offset += chunk)
        {
            var n = Math.Min(chunk, audio.Length - offset);
            audio.AsSpan(offset, n).CopyTo(buffer);
            await session.SendAudioAsync(buffer.AsMemory(0, n), CancellationToken.None);
            chunks++;
        }

        return chunks;
    }
}
