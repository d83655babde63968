using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Simulation;

namespace AiAgent.EndToEnd.Tests;

public sealed class UlawPlatformFixture() : PlatformFixture("""
    default_provider: local
    audiosocket:
      format: ulaw
    providers:
      local:
        greeting: true
        silence_ms: 600
    """);

/// <summary>
/// A <c>Dial(AudioSocket/.../c(ulaw))</c> channel, or one without <c>c()</c> from a G.711 caller: Asterisk sends
/// µ-law bytes labelled 0x10 and decodes every 0x10 frame it receives as slin 8 kHz.
/// </summary>
[Collection(PlatformLanes.CallerLane)]
public sealed class G711CallTests(UlawPlatformFixture fixture) : IClassFixture<UlawPlatformFixture>
{
    [Fact]
    public async Task A_ulaw_call_is_heard_and_answered_in_slin_8khz_frames()
    {
        var result = await AsteriskSimulator.RunCallAsync(new CallSettings
        {
            Port = fixture.Platform.AudioSocketPort,
            Audio = CallAudio.FromWav(Audio.HelloWav, CallFormat.All.Single(f => f.Name == "ulaw")),
            Tail = TimeSpan.FromSeconds(9),
            Record = true,
        });

        var summary = result.Summary;
        Assert.True(summary.Passed, summary.Error);
        Assert.Equal(0, summary.WrongSizeFrames);
        Assert.Equal(0, summary.KindMismatchFrames);
        Assert.Equal(CallFormat.Slin, result.Format);
        Assert.Equal(summary.FramesReceived * 320, result.ReceivedAudio.Length);
        // Greeting and the echo of the utterance (a slin call of the same WAV hears 394 speech frames).
        Assert.True(summary.SpeechFrames >= 350, $"{summary.SpeechFrames} speech frames of {summary.FramesReceived}");
        var echo = await fixture.Platform.WaitForLogAsync(l => l.Contains($"Call {summary.CallId}: local turn latency", StringComparison.Ordinal));
        Assert.Contains("ms", echo, StringComparison.Ordinal);
    }
}
