namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// Watches the labels of a call's inbound audio for a change after the call's format was fixed. Pure; used
/// only from the connection's read loop.
/// </summary>
/// <remarks>
/// The format is fixed when the call starts (the grain converts to it); a label that changes later is most
/// likely an Asterisk older than 20.17 whose audio started after the probe window, and which reads our
/// 0x11-0x18 frames as nothing (docs/protocols/asterisk.md). Worth one loud message per call, not one per frame.
/// </remarks>
internal sealed class InboundLabelWatch(AudioSocketKind? firstLabel)
{
    private AudioSocketKind? _first = firstLabel;
    private bool _reported;

    /// <summary>The first inbound label (from the format probe, else the first frame seen).</summary>
    public AudioSocketKind? First => _first;

    /// <summary>Notes one frame's label; true only the first time a label differs from the first one.</summary>
    public bool IsFirstChange(AudioSocketKind label)
    {
        _first ??= label;
        if (label == _first || _reported)
        {
            return false;
        }

        _reported = true;
        return true;
    }
}
