using System.Buffers;
using System.IO.Pipelines;
using AiAgent.Gateway.AudioSocket;
using Microsoft.Extensions.Time.Testing;

namespace AiAgent.Gateway.Tests;

public sealed class AudioSocketFormatProbeTests
{
    private static readonly TimeSpan s_window = TimeSpan.FromSeconds(1);
    private readonly FakeTimeProvider _time = new();

    public static TheoryData<string, AudioSocketKind?> Cases => new()
    {
        // bytes after the UUID (hex), the label learnt
        { "100002aabb", AudioSocketKind.Slin8 },
        { "12", AudioSocketKind.Slin16 },
        { "180000", AudioSocketKind.Slin192 },
        { "030001", null },  // DTMF first: no format to learn
        { "000000", null },  // a hangup frame
        { "", null },        // EOF
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_first_frame_kind_is_peeked_without_consuming_it(string hex, AudioSocketKind? expected)
    {
        var bytes = Convert.FromHexString(hex);
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(bytes);
        await pipe.Writer.CompleteAsync();

        var kind = await AudioSocketFormatProbe.PeekFirstAudioKindAsync(pipe.Reader, s_window, _time);

        Assert.Equal(expected, kind);
        var rest = await pipe.Reader.ReadAsync();
        Assert.Equal(bytes, rest.Buffer.ToArray());
    }

    [Fact]
    public async Task Audio_that_comes_later_within_the_window_still_decides()
    {
        var pipe = new Pipe();
        var probe = AudioSocketFormatProbe.PeekFirstAudioKindAsync(pipe.Reader, s_window, _time);
        _time.Advance(s_window - TimeSpan.FromMilliseconds(1));
        Assert.False(probe.IsCompleted);

        await pipe.Writer.WriteAsync(new byte[] { 0x13, 0x00, 0x00 });

        Assert.Equal(AudioSocketKind.Slin24, await probe);
    }

    [Fact]
    public async Task No_frame_within_the_window_leaves_the_format_to_configuration()
    {
        var pipe = new Pipe();
        var probe = AudioSocketFormatProbe.PeekFirstAudioKindAsync(pipe.Reader, s_window, _time);

        _time.Advance(s_window);

        Assert.Null(await probe);
    }
}
