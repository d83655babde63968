using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Simulation;

namespace AiAgent.EndToEnd.Tests;

/// <summary>
/// A caller that sends no frames while silent (CallSim's silent-gap mode: silence suppression / DTX) gets its
/// turn answered because the gateway fills the gaps (audiosocket.caller_gap_fill_ms, on by default). These share
/// the provider classes' platform processes; only the fill-off check needs its own.
/// </summary>
internal static class SilentGapCaller
{
    /// <summary>Silence after the speech while the answer comes: bounded, and the same with the fill off.</summary>
    public static readonly TimeSpan Tail = TimeSpan.FromSeconds(4);

    /// <summary>The caller speaks once, after <paramref name="leadingSilence"/> (the greeting), sending no silent frame at all.</summary>
    public static CallSettings Settings(int port, TimeSpan leadingSilence) => new()
    {
        Port = port,
        Audio = CallAudio.FromWav(Audio.HelloWav, CallFormat.Slin),
        LeadingSilence = leadingSilence,
        Tail = Tail,
        SilentGaps = true,
    };

    /// <summary>Checks the call sent only speech and got an answer after it.</summary>
    public static void AssertAnswered(CallResult result)
    {
        var summary = result.Summary;
        Assert.True(summary.Passed, summary.Error);
        Assert.True(summary.FramesWithheld > 300, $"{summary.FramesWithheld} frames withheld: not a silent-gap caller");
        Assert.True(summary.ReplyAfterSpeechMs is not null, $"no answer within {Tail.TotalSeconds} s of the caller's speech");
    }
}

public sealed partial class LocalProviderCallTests
{
    [Fact]
    public async Task A_caller_that_sends_no_frames_while_silent_gets_its_turn_answered()
    {
        // Speaks after the ~5.8 s greeting.
        var result = await AsteriskSimulator.RunCallAsync(SilentGapCaller.Settings(Platform.AudioSocketPort, TimeSpan.FromSeconds(6.5)));

        SilentGapCaller.AssertAnswered(result);
        await Platform.WaitForLogAsync(l => l.Contains($"Call {result.Summary.CallId}: local turn latency", StringComparison.Ordinal));
    }
}

public sealed partial class OpenAIRealtimeCallTests
{
    [Fact]
    public async Task A_caller_that_sends_no_frames_while_silent_gets_its_turn_answered_by_server_vad()
    {
        var result = await AsteriskSimulator.RunCallAsync(SilentGapCaller.Settings(fixture.Platform.AudioSocketPort, TimeSpan.FromSeconds(3.5)));

        SilentGapCaller.AssertAnswered(result);
        Assert.Contains(fixture.Emulator.ReceivedEvents, e => e.Type == "input_audio_buffer.append");
    }
}

public sealed partial class DeepgramCallTests
{
    [Fact]
    public async Task A_caller_that_sends_no_frames_while_silent_gets_its_turn_answered()
    {
        var result = await AsteriskSimulator.RunCallAsync(SilentGapCaller.Settings(fixture.Platform.AudioSocketPort, TimeSpan.FromSeconds(5)));

        SilentGapCaller.AssertAnswered(result);
    }
}

/// <summary>The local provider with the fill off: the platform as it was before it.</summary>
public sealed class LocalNoGapFillPlatformFixture() : PlatformFixture("""
    default_provider: local
    audiosocket:
      caller_gap_fill_ms: 0
    providers:
      local:
        greeting: true
        silence_ms: 600
    """);

[Collection(PlatformLanes.CallerLane)]
public sealed class LocalProviderWithoutGapFillCallTests(LocalNoGapFillPlatformFixture fixture) : IClassFixture<LocalNoGapFillPlatformFixture>
{
    [Fact]
    public async Task With_the_fill_off_the_same_caller_gets_no_answer_in_the_same_time()
    {
        var result = await AsteriskSimulator.RunCallAsync(SilentGapCaller.Settings(fixture.Platform.AudioSocketPort, TimeSpan.FromSeconds(6.5)));

        var summary = result.Summary;
        Assert.True(summary.Passed, summary.Error);
        // The greeting played (the call works); the end of the caller's turn never came, so nothing answered it.
        Assert.True(summary.SpeechFrames >= 200, $"greeting expected, got {summary.SpeechFrames} speech frames");
        Assert.Null(summary.ReplyAfterSpeechMs);
        await fixture.Platform.WaitForLogAsync(l => l.Contains($"Call {summary.CallId} ended (CallerHangup) on local", StringComparison.Ordinal));
        Assert.Equal(0, fixture.Platform.CountLog(l => l.Contains($"Call {summary.CallId}: local turn latency", StringComparison.Ordinal)));
    }
}
