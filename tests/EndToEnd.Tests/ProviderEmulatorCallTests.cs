using System.Text.Json;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Simulation;
using AiAgent.Emulators.Deepgram;
using AiAgent.Emulators.OpenAIRealtime;

namespace AiAgent.EndToEnd.Tests;

/// <summary>The OpenAI Realtime emulator as the platform's provider: the production code path, only the URL differs.</summary>
public sealed class OpenAIPlatformFixture : IAsyncLifetime
{
    public const string Key = "sk-e2e-secret-0123456789";

    public OpenAIRealtimeEmulator Emulator { get; private set; } = null!;

    public PlatformProcess Platform { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await OpenAIRealtimeEmulator.StartAsync(new OpenAIRealtimeEmulatorOptions { ApiKey = Key });
        Platform = await PlatformProcess.StartAsync($"""
            default_provider: openai_realtime
            barge_in:
              greeting_protection_ms: 1500
              echo_guard_ms: 300
            providers:
              openai_realtime:
                api_key_env: AIAGENT_E2E_OPENAI_KEY
                base_url: {Emulator.BaseUrl}
            Logging:
              LogLevel:
                Default: Debug
                Orleans: Warning
                Microsoft: Warning
                Polly: Warning
            """,
            new Dictionary<string, string> { ["AIAGENT_E2E_OPENAI_KEY"] = Key });
    }

    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}

[Collection(PlatformLanes.ProviderLane)]
public sealed partial class OpenAIRealtimeCallTests(OpenAIPlatformFixture fixture) : IClassFixture<OpenAIPlatformFixture>
{
    [Fact]
    public async Task A_call_talks_to_the_realtime_api_in_mulaw_and_the_caller_gets_exact_frames()
    {
        var result = await AsteriskSimulator.RunCallAsync(new CallSettings
        {
            Port = fixture.Platform.AudioSocketPort,
            Audio = CallAudio.FromWav(Audio.HelloWav, CallFormat.Slin),
            LeadingSilence = TimeSpan.FromSeconds(3.5), // after the greeting
            Tail = TimeSpan.FromSeconds(8),
        });

        var summary = result.Summary;
        Assert.True(summary.Passed, summary.Error);
        Assert.Equal(0, summary.WrongSizeFrames);
        Assert.Equal(0, summary.Violations);
        Assert.True(summary.SpeechFrames >= 200, $"greeting and answer expected, got {summary.SpeechFrames} speech frames");
        await fixture.Platform.WaitForLogAsync(l => l.Contains("OpenAI Realtime session started", StringComparison.Ordinal));
        var update = fixture.Emulator.ReceivedEvents.First(e => e.Type == "session.update");
        using var json = JsonDocument.Parse(update.Json);
        var audio = json.RootElement.GetProperty("session").GetProperty("audio");
        Assert.Equal("audio/pcmu", audio.GetProperty("input").GetProperty("format").GetProperty("type").GetString());
        Assert.Equal("audio/pcmu", audio.GetProperty("output").GetProperty("format").GetProperty("type").GetString());
        Assert.Contains(fixture.Emulator.ReceivedEvents, e => e.Type == "input_audio_buffer.append");
        Assert.DoesNotContain(fixture.Emulator.ReceivedEvents, e => e.Type == "input_audio_buffer.commit");
        Assert.DoesNotContain(OpenAIPlatformFixture.Key, fixture.Platform.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Talking_over_the_answer_flushes_playout_and_truncates_to_what_was_played()
    {
        var result = await AsteriskSimulator.RunCallAsync(new CallSettings
        {
            Port = fixture.Platform.AudioSocketPort,
            // Speak after the greeting, wait for the answer to start, then talk over it.
            Audio = Audio.SpeechTwice(CallFormat.Slin, gap: TimeSpan.FromSeconds(2.5)),
            LeadingSilence = TimeSpan.FromSeconds(3.5),
            Tail = TimeSpan.FromSeconds(4),
        });

        Assert.True(result.Summary.Passed, result.Summary.Error);
        var truncate = await fixture.Emulator.WaitForClientEventAsync("conversation.item.truncate", TimeSpan.FromSeconds(20));
        using var json = JsonDocument.Parse(truncate.Json);
        var playedMs = json.RootElement.GetProperty("audio_end_ms").GetInt64();
        Assert.InRange(playedMs, 1, 6_000);
        await fixture.Platform.WaitForLogAsync(l => l.Contains($"Call {result.Summary.CallId}: barge-in", StringComparison.Ordinal));
        Assert.Equal(0, result.Summary.WrongSizeFrames);
    }
}

/// <summary>The Deepgram Voice Agent emulator as the platform's provider.</summary>
public sealed class DeepgramPlatformFixture : IAsyncLifetime
{
    public const string Key = "dg-e2e-secret-0123456789";

    public DeepgramEmulator Emulator { get; private set; } = null!;

    public PlatformProcess Platform { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Emulator = await DeepgramEmulator.StartAsync(new DeepgramEmulatorOptions { ApiKey = Key });
        Platform = await PlatformProcess.StartAsync($"""
            default_provider: deepgram
            providers:
              deepgram:
                api_key_env: AIAGENT_E2E_DEEPGRAM_KEY
                base_url: {Emulator.BaseUrl}
            """,
            new Dictionary<string, string> { ["AIAGENT_E2E_DEEPGRAM_KEY"] = Key });
    }

    public async Task DisposeAsync()
    {
        await Platform.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}

[Collection(PlatformLanes.ProviderLane)]
public sealed partial class DeepgramCallTests(DeepgramPlatformFixture fixture) : IClassFixture<DeepgramPlatformFixture>
{
    [Fact]
    public async Task A_call_gets_the_greeting_and_an_answer_and_barges_in()
    {
        var result = await AsteriskSimulator.RunCallAsync(new CallSettings
        {
            Port = fixture.Platform.AudioSocketPort,
            Audio = Audio.SpeechTwice(CallFormat.Slin, gap: TimeSpan.FromSeconds(2.5)),
            LeadingSilence = TimeSpan.FromSeconds(5),
            Tail = TimeSpan.FromSeconds(6),
            Dtmf = DtmfEvent.ParseList("3@1"),
        });

        var summary = result.Summary;
        Assert.True(summary.Passed, summary.Error);
        Assert.Equal(0, summary.WrongSizeFrames);
        Assert.Equal(0, summary.Violations);
        Assert.True(summary.SpeechFrames >= 100, $"got {summary.SpeechFrames} speech frames");
        Assert.Single(fixture.Emulator.Sessions);
        await fixture.Platform.WaitForLogAsync(l => l.Contains($"Call {summary.CallId}: barge-in", StringComparison.Ordinal));
        await fixture.Platform.WaitForLogAsync(l => l.Contains($"Call {summary.CallId} ended (CallerHangup) on deepgram", StringComparison.Ordinal));
        Assert.DoesNotContain(DeepgramPlatformFixture.Key, fixture.Platform.Log, StringComparison.Ordinal);
    }
}
