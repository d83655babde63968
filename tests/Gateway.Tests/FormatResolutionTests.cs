using AiAgent.Gateway.AudioSocket;
using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Gateway.Tests;

/// <summary>How the first audio label and <c>audiosocket.format</c> decide both directions' formats (docs/protocols/audiosocket.md#the-codec-label).</summary>
public sealed class FormatResolutionTests
{
    public static TheoryData<AudioSocketKind?, string, string, string> Cases => new()
    {
        // An explicit rate label wins over configuration, both ways.
        { AudioSocketKind.Slin16, "slin", "slin16", "slin16" },
        { AudioSocketKind.Slin24, "ulaw", "slin24", "slin24" },
        { AudioSocketKind.Slin48, "slin48", "slin48", "slin48" },
        // 0x10 carries what configuration says; Asterisk reads our 0x10 frames as slin 8 kHz.
        { AudioSocketKind.Slin8, "slin", "slin", "slin" },
        { AudioSocketKind.Slin8, "slin16", "slin16", "slin" },
        { AudioSocketKind.Slin8, "ulaw", "ulaw", "slin" },
        { AudioSocketKind.Slin8, "alaw", "alaw", "slin" },
        // No audio within the probe window: configuration both ways, G.711 answered in slin 8 kHz.
        { null, "slin16", "slin16", "slin16" },
        { null, "ulaw", "ulaw", "slin" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void First_label_and_configuration_give_caller_and_playout_formats(AudioSocketKind? label, string configured, string caller, string playout)
    {
        var (callerFormat, playoutFormat) = CallFormats.Resolve(label, Configuration.AudioSocketFormats.Parse(configured));

        Assert.Equal(Configuration.AudioSocketFormats.Parse(caller), callerFormat);
        Assert.Equal(Configuration.AudioSocketFormats.Parse(playout), playoutFormat);
        Assert.Equal(AudioEncoding.Pcm16, playoutFormat.Encoding);
    }
}
