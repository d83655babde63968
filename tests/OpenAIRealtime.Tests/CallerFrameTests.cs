using AiAgent.Grains.Audio;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Providers;
using AiAgent.OpenAIRealtime.Tests.Support;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary>
/// Agent audio from the provider, converted to the call's AudioSocket format and framed, gives exact 20 ms frames.
/// Covers the pairs the auto formats make same-rate (no resampling); resampled pairs (slin16/slin48 calls) are
/// covered once the audio pipeline's resampler lands in <see cref="AudioConverter"/>.
/// </summary>
public sealed class CallerFrameTests
{
    [Theory]
    [InlineData("slin8", 320)]
    [InlineData("ulaw8", 160)]
    [InlineData("alaw8", 160)]
    [InlineData("slin24", 960)]
    public async Task Agent_audio_becomes_whole_20ms_frames_of_the_call_format(string call, int frameBytes)
    {
        var callFormat = ProviderConversationTests.Call(call);
        await using var h = await Harness.StartAsync();
        await using var session = h.CreateSession(callFormat);
        var events = new EventReader(session);
        await session.StartAsync(CancellationToken.None);
        await events.NextAsync<AgentAudioDone>();

        var converter = AudioConverter.Create(session.Formats.Output, callFormat);
        var framer = new AudioFramer(callFormat, TimeSpan.FromMilliseconds(20));
        Assert.Equal(frameBytes, framer.FrameBytes);
        long agentBytes = 0, frames = 0, framedBytes = 0;
        foreach (var chunk in events.Seen.OfType<AgentAudio>())
        {
            agentBytes += chunk.Audio.Length;
            var converted = new byte[converter.GetMaxOutputBytes(chunk.Audio.Length)];
            var n = converter.Convert(chunk.Audio.Span, converted);
            var output = new byte[framer.GetOutputBytes(n)];
            var written = framer.Write(converted.AsSpan(0, n), output);
            Assert.Equal(0, written % frameBytes);
            frames += written / frameBytes;
            framedBytes += written;
        }

        var last = new byte[frameBytes];
        framedBytes += framer.Flush(last);
        var agentMs = session.Formats.Output.MillisecondsOf(agentBytes);
        Assert.InRange(framedBytes, callFormat.BytesFor(TimeSpan.FromMilliseconds(agentMs)), callFormat.BytesFor(TimeSpan.FromMilliseconds(agentMs + 20)) + frameBytes);
        Assert.True(frames > 50);
    }
}
