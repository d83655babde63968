using System.Buffers.Binary;
using AiAgent.Gateway.Audio;
using AiAgent.Gateway.AudioSocket;
using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Gateway.Tests;

public sealed class SignalLevelTests
{
    private static readonly double s_threshold = SignalLevel.RmsOf(-45);

    [Fact]
    public void Speech_level_tone_is_above_the_idle_threshold_and_silence_is_not()
    {
        Assert.True(SignalLevel.IsAbove(Tone(-20), AudioEncoding.Pcm16, s_threshold));
        Assert.False(SignalLevel.IsAbove(Tone(-60), AudioEncoding.Pcm16, s_threshold));
        Assert.False(SignalLevel.IsAbove(new byte[320], AudioEncoding.Pcm16, s_threshold));
        Assert.False(SignalLevel.IsAbove([], AudioEncoding.Pcm16, s_threshold));
    }

    [Theory]
    [InlineData(AudioEncoding.Mulaw, 0xFF, 0x80)]
    [InlineData(AudioEncoding.Alaw, 0xD5, 0xAA)]
    public void G711_silence_is_silent_and_a_loud_code_is_not(AudioEncoding encoding, byte silence, byte loud)
    {
        Assert.Equal(silence, SignalLevel.SilenceByte(encoding));
        Assert.False(SignalLevel.IsAbove(Enumerable.Repeat(silence, 160).ToArray(), encoding, s_threshold));
        Assert.True(SignalLevel.IsAbove(Enumerable.Repeat(loud, 160).ToArray(), encoding, s_threshold));
    }

    [Fact]
    public void Kinds_map_to_formats_as_asterisk_labels_them()
    {
        Assert.Equal(AudioSocketKind.Slin8, AudioSocketKinds.KindOf(AudioFormat.Slin8));
        Assert.Equal(AudioSocketKind.Slin16, AudioSocketKinds.KindOf(AudioFormat.Slin16));
        Assert.Equal(AudioSocketKind.Slin44, AudioSocketKinds.KindOf(new AudioFormat(AudioEncoding.Pcm16, 44_100)));
        Assert.Equal(AudioSocketKind.Slin8, AudioSocketKinds.KindOf(AudioFormat.Mulaw8)); // every non-slin format falls back to 0x10
        Assert.Null(AudioSocketKinds.ExplicitFormatOf(AudioSocketKind.Slin8));          // 0x10 is ambiguous
        Assert.Equal(AudioFormat.Slin24, AudioSocketKinds.ExplicitFormatOf(AudioSocketKind.Slin24));
        Assert.Null(AudioSocketKinds.ExplicitFormatOf(AudioSocketKind.Dtmf));
    }

    private static byte[] Tone(double dbfs)
    {
        var amplitude = short.MaxValue * Math.Pow(10, dbfs / 20) * Math.Sqrt(2); // RMS of a sine is peak / sqrt(2)
        var bytes = new byte[320];
        for (var i = 0; i < 160; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(i * 2), (short)(amplitude * Math.Sin(2 * Math.PI * 1000 * i / 8000)));
        }

        return bytes;
    }
}
