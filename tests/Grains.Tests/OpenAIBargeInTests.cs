using AiAgent.Emulators.OpenAIRealtime;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Silo.Hosting;
using Orleans.TestingHost;

namespace AiAgent.Grains.Tests;

/// <summary>
/// Barge-in through a real call grain and the OpenAI Realtime provider against its emulator. The session sends
/// <c>interrupt_response:false</c>, so the server never stops an answer by itself: the grain must have it cancelled.
/// </summary>
public sealed class OpenAIBargeInTests : IAsyncLifetime
{
    private readonly string _keyVariable = "AIAGENT_TEST_OPENAI_KEY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private OpenAIRealtimeEmulator _emulator = null!;
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(_keyVariable, "sk-emulator-key");
        // The model "thinks" 20 s before a reply's first audio: the answer is active but nothing of it can play.
        _emulator = await OpenAIRealtimeEmulator.StartAsync(new OpenAIRealtimeEmulatorOptions { ApiKey = "sk-emulator-key", ReplyAudioDelayMs = 20_000 });
        var yaml = $"""
            default_provider: openai_realtime
            barge_in:
              enabled: true
              greeting_protection_ms: 1500
              echo_guard_ms: 300
            providers:
              openai_realtime:
                api_key_env: {_keyVariable}
                base_url: {_emulator.BaseUrl}
                greeting: ""
                turn_detection:
                  silence_duration_ms: 300
            """;
        _cluster = await TestClusterFixture.DeployAsync(new HostingOptions(), config => TestClusterFixture.AddYaml(config, yaml));
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _emulator.DisposeAsync();
        Environment.SetEnvironmentVariable(_keyVariable, null);
    }

    [Fact]
    public async Task Caller_speech_while_an_answer_is_prepared_cancels_it_before_any_audio_plays()
    {
        await using var call = await CallProbe.StartAsync(_cluster.Client);
        Assert.Equal("openai_realtime", call.Started.Provider);

        // A caller turn: the server creates the answer, which has no audio yet.
        await call.SendAsync(Signals.Tone(0.6));
        await call.SendAsync(Signals.Silence(0.8));
        await _emulator.WaitForServerEventAsync(s => s.Type == "response.created", CallProbe.Timeout);

        // The caller talks again: a barge-in with nothing playing still stops the answer, at once.
        await call.SendAsync(Signals.Tone(0.4));
        var cancel = await _emulator.WaitForClientEventAsync("response.cancel", CallProbe.Timeout);
        var done = await _emulator.WaitForServerEventAsync(s => s.Type == "response.done", CallProbe.Timeout);

        Assert.Contains("\"cancelled\"", done.Json, StringComparison.Ordinal);
        Assert.Contains("\"client_cancelled\"", done.Json, StringComparison.Ordinal);
        Assert.Equal(1, cancel.Connection);
        var counters = await call.WaitForAsync(c => c.BargeIns == 1);
        Assert.Equal(0, counters.ChunksOut);
        Assert.DoesNotContain(_emulator.SentEvents, s => s.Type == "error");
        Assert.Single(_emulator.ReceivedEvents, e => e.Type == "response.cancel");
        await call.Grain.HangupAsync(CallEndReason.CallerHangup);
    }

    [Fact]
    public async Task Caller_speech_with_no_answer_in_progress_sends_no_cancel()
    {
        await using var call = await CallProbe.StartAsync(_cluster.Client);

        // The first turn: nothing is being answered when the caller starts talking.
        await call.SendAsync(Signals.Tone(0.6));
        await call.SendAsync(Signals.Silence(0.8));
        await _emulator.WaitForServerEventAsync(s => s.Type == "response.created", CallProbe.Timeout);
        await call.Grain.HangupAsync(CallEndReason.CallerHangup);

        Assert.DoesNotContain(_emulator.ReceivedEvents, e => e.Type == "response.cancel");
        Assert.Equal(0, (await call.Grain.GetSnapshotAsync()).Counters.BargeIns);
    }
}
