using AiAgent.Gateway.AudioSocket;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Gateway.Tests;

/// <summary>The small pure rules of an AudioSocket session.</summary>
public sealed class AudioSocketPoliciesTests
{
    [Theory]
    [InlineData('0', true)]
    [InlineData('9', true)]
    [InlineData('*', true)]
    [InlineData('#', true)]
    [InlineData('A', true)]
    [InlineData('D', true)]
    [InlineData('E', false)]
    [InlineData('a', false)]
    [InlineData('x', false)]
    [InlineData('\0', false)]
    [InlineData(' ', false)]
    [InlineData('\u0663', false)] // ARABIC-INDIC DIGIT THREE: a digit, not a telephone key
    public void Dtmf_digits_are_0_to_9_star_hash_and_A_to_D(char digit, bool valid)
    {
        Assert.Equal(valid, DtmfDigit.IsValid(digit));
    }

    [Theory]
    [InlineData((byte)0x01, CallEndReason.CallerHangup)]
    [InlineData((byte)0x02, CallEndReason.ProtocolError)]
    [InlineData((byte)0x04, CallEndReason.ProtocolError)]
    [InlineData(null, CallEndReason.ProtocolError)]
    public void An_error_frame_is_a_caller_hangup_only_with_code_0x01_and_is_always_answered_with_a_hangup(byte? code, CallEndReason reason)
    {
        Assert.Equal(new CallEnd(reason, SendHangup: true), CallEnd.ByPeerError(code));
    }

    public static TheoryData<AudioSocketKind?, AudioSocketKind[], bool[]> LabelCases => new()
    {
        // first label from the probe, labels of the frames, whether each is the first change
        { AudioSocketKind.Slin16, [AudioSocketKind.Slin16, AudioSocketKind.Slin16], [false, false] },
        { AudioSocketKind.Slin16, [AudioSocketKind.Slin8, AudioSocketKind.Slin8, AudioSocketKind.Slin24], [true, false, false] },
        { null, [AudioSocketKind.Slin8, AudioSocketKind.Slin8], [false, false] },
        { null, [AudioSocketKind.Slin8, AudioSocketKind.Slin16, AudioSocketKind.Slin8], [false, true, false] },
    };

    [Theory]
    [MemberData(nameof(LabelCases))]
    public void A_label_change_after_the_start_is_reported_once(AudioSocketKind? first, AudioSocketKind[] labels, bool[] reported)
    {
        var watch = new InboundLabelWatch(first);

        Assert.Equal(reported, labels.Select(watch.IsFirstChange));
        Assert.Equal(first ?? labels[0], watch.First);
    }
}
