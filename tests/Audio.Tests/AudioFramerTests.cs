using AiAgent.Grains.Audio;
using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Audio.Tests;

public sealed class AudioFramerTests
{
    private static readonly TimeSpan Frame = TimeSpan.FromMilliseconds(20);

    public static IEnumerable<object[]> FrameSizes() =>
    [
        [AudioFormat.Slin8.ToString(), 320],
        [AudioFormat.Slin16.ToString(), 640],
        [AudioFormat.Slin24.ToString(), 960],
        [AudioFormat.Slin48.ToString(), 1_920],
        [AudioFormat.Mulaw8.ToString(), 160],
        [AudioFormat.Alaw8.ToString(), 160],
    ];

    [Theory]
    [MemberData(nameof(FrameSizes))]
    public void CutsExactFramesAndCarriesTheRemainder(string name, int frameBytes)
    {
        var format = Find(name);
        var framer = new AudioFramer(format, Frame);
        Assert.Equal(frameBytes, framer.FrameBytes);

        var random = new Random(frameBytes);
        var input = new byte[frameBytes * 25 + (frameBytes / 3)];
        random.NextBytes(input);
        var output = new byte[input.Length + frameBytes];
        var written = 0;
        var offset = 0;
        foreach (var chunk in Signals.RandomChunks(input.Length, frameBytes * 3, random))
        {
            var expected = framer.GetOutputBytes(chunk);
            var n = framer.Write(input.AsSpan(offset, chunk), output.AsSpan(written));
            Assert.Equal(expected, n);
            Assert.Equal(0, n % frameBytes);
            offset += chunk;
            written += n;
            Assert.Equal(offset - written, framer.Buffered);
        }

        Assert.Equal(frameBytes * 25, written);
        Assert.Equal(frameBytes / 3, framer.Buffered);
        Assert.Equal(input[..written], output[..written]);

        // Flush: the remainder, then silence up to one whole frame.
        var flushed = framer.Flush(output.AsSpan(written));
        Assert.Equal(frameBytes, flushed);
        Assert.Equal(input[written..], output[written..(written + (frameBytes / 3))]);
        Assert.All(output[(written + (frameBytes / 3))..(written + frameBytes)], b => Assert.Equal(AudioFramer.SilenceByte(format.Encoding), b));
        Assert.Equal(0, framer.Buffered);
        Assert.Equal(0, framer.Flush(output));
    }

    [Fact]
    public void SilenceBytesDecodeToSilence()
    {
        Assert.Equal(0, MuLaw.Decode(AudioFramer.SilenceByte(AudioEncoding.Mulaw)));
        Assert.Equal(8, ALaw.Decode(AudioFramer.SilenceByte(AudioEncoding.Alaw)));
        Assert.Equal(0, AudioFramer.SilenceByte(AudioEncoding.Pcm16));
    }

    [Fact]
    public void ResetDropsTheRemainder()
    {
        var framer = new AudioFramer(AudioFormat.Slin8, Frame);
        var output = new byte[640];
        Assert.Equal(0, framer.Write(new byte[100], output));
        Assert.Equal(100, framer.Buffered);
        framer.Reset();
        Assert.Equal(0, framer.Buffered);
        Assert.Equal(0, framer.Flush(output));
        Assert.Equal(320, framer.Write(new byte[320], output));
    }

    [Fact]
    public void RejectsShortOutputAndEmptyFrames()
    {
        var framer = new AudioFramer(AudioFormat.Slin8, Frame);
        Assert.Throws<ArgumentException>(() => framer.Write(new byte[640], new byte[639]));
        Assert.Equal(0, framer.Buffered);
        Assert.Throws<ArgumentOutOfRangeException>(() => new AudioFramer(AudioFormat.Slin8, TimeSpan.FromTicks(1)));
        framer.Write(new byte[10], new byte[0]);
        Assert.Throws<ArgumentException>(() => framer.Flush(new byte[319]));
        Assert.Equal(10, framer.Buffered);
    }

    [Fact]
    public void WriteAllocatesNothing()
    {
        var framer = new AudioFramer(AudioFormat.Slin8, Frame);
        var input = new byte[500];
        var output = new byte[1_000];
        Assert.Equal(0, Allocations.SteadyStateBytes(() => framer.Write(input, output)));
    }

    private static AudioFormat Find(string name) =>
        new[] { AudioFormat.Slin8, AudioFormat.Slin16, AudioFormat.Slin24, AudioFormat.Slin48, AudioFormat.Mulaw8, AudioFormat.Alaw8 }
            .Single(f => f.ToString() == name);
}
