using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>The audio formats of one call's two directions.</summary>
/// <param name="Caller">What the caller's frames carry (the format the grain receives).</param>
/// <param name="Playout">What we send back: always slin, at the rate its label names.</param>
internal readonly record struct CallFormats(AudioFormat Caller, AudioFormat Playout)
{
    /// <summary>
    /// The formats from the first audio frame's label (null: none came within the probe window) and
    /// <c>audiosocket.format</c> (docs/protocols/audiosocket.md, docs/protocols/asterisk.md).
    /// </summary>
    /// <remarks>
    /// An explicit rate label (0x11-0x18) names slin at that rate both ways. 0x10 is ambiguous: older Asterisk
    /// labels every format 0x10 and a <c>c(ulaw)</c>/<c>c(alaw)</c> channel sends G.711 bytes as 0x10, so
    /// configuration says what it carries; but Asterisk decodes a 0x10 frame it receives as slin 8 kHz, and
    /// before 20.17 ignores 0x11-0x18, so a 0x10 call is answered in slin 8 kHz (Asterisk transcodes to the
    /// channel). Without a label the configured format is assumed both ways, G.711 answered in slin 8 kHz.
    /// </remarks>
    public static CallFormats Resolve(AudioSocketKind? firstAudioLabel, AudioFormat configured)
    {
        if (firstAudioLabel is { } kind && AudioSocketKinds.ExplicitFormatOf(kind) is { } labelled)
        {
            return new(labelled, labelled);
        }

        if (firstAudioLabel == AudioSocketKind.Slin8)
        {
            return new(configured, AudioFormat.Slin8);
        }

        return new(configured, configured.Encoding == AudioEncoding.Pcm16 ? configured : AudioFormat.Slin8);
    }
}
