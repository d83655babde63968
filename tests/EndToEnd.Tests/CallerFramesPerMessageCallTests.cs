using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Simulation;

namespace AiAgent.EndToEnd.Tests;

/// <summary>The local provider with caller frames sent two to a grain message (audiosocket.caller_frames_per_message).</summary>
public sealed class LocalPairedFramesPlatformFixture() : PlatformFixture("""
    default_provider: local
    audiosocket:
      caller_frames_per_message: 2
    providers:
      local:
        greeting: true
        silence_ms: 600
    """);

[Collection(PlatformLanes.CallerLane)]
public sealed class CallerFramesPerMessageCallTests(LocalPairedFramesPlatformFixture fixture) : IClassFixture<LocalPairedFramesPlatformFixture>
{
    [Fact]
    public async Task With_two_frames_per_message_the_caller_turn_is_heard_whole_and_echoed_in_exact_frames()
    {
        var result = await AsteriskSimulator.RunCallAsync(new CallSettings
        {
            Port = fixture.Platform.AudioSocketPort,
            Audio = CallAudio.FromWav(Audio.HelloWav, CallFormat.Slin),
            Tail = TimeSpan.FromSeconds(9),
        });

        var summary = result.Summary;
        Assert.True(summary.Passed, summary.Error);
        Assert.Equal(0, summary.WrongSizeFrames);
        Assert.Equal(0, summary.Violations);
        // Greeting (~5.8 s) and the echo of the whole 4.2 s utterance, as with one frame per message.
        Assert.True(summary.FramesReceived >= 400, $"received {summary.FramesReceived} frames");
        Assert.NotNull(summary.ReplyAfterSpeechMs);
        await fixture.Platform.WaitForLogAsync(l => l.Contains($"Call {summary.CallId}: local turn latency", StringComparison.Ordinal));
    }
}
