using AiAgent.CallSim.Audio;

namespace AiAgent.CallSim.Simulation;

/// <summary>One simulated Asterisk call: where to connect and what the caller does.</summary>
public sealed record CallSettings
{
    /// <summary>The gateway host (Asterisk's <c>AudioSocket(uuid,host:port)</c>).</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The gateway port.</summary>
    public int Port { get; init; } = 8090;

    /// <summary>The call UUID sent in the first frame.</summary>
    public Guid CallId { get; init; } = Guid.NewGuid();

    /// <summary>The caller's speech, in the call format (which it also defines).</summary>
    public required CallAudio Audio { get; init; }

    /// <summary>The call format.</summary>
    public CallFormat Format => Audio.Format;

    /// <summary>Label every audio frame 0x10 whatever its rate, as Asterisk before 20.17 / 21.12 / 22.7 / 23.1 does.</summary>
    public bool LabelLegacy { get; init; }

    /// <summary>Silence streamed before the caller starts speaking.</summary>
    public TimeSpan LeadingSilence { get; init; } = TimeSpan.FromSeconds(0.5);

    /// <summary>Silence streamed after the speech, while the reply arrives, before hanging up.</summary>
    public TimeSpan Tail { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>DTMF digits and when to send them (from the start of streaming).</summary>
    public IReadOnlyList<DtmfEvent> Dtmf { get; init; } = [];

    /// <summary>
    /// Send no frame while the caller is silent, as a phone with silence suppression or DTX does through Asterisk
    /// (docs/protocols/asterisk.md): the leading silence, the tail and the quiet frames of the speech
    /// (<see cref="SilentFrames"/>) are withheld, the ticks still pass. DTMF still goes out.
    /// </summary>
    public bool SilentGaps { get; init; }

    /// <summary>
    /// Talk in cycles instead of speaking once (<c>--cycles</c>, <c>--duration</c>): speak, listen to the reply, pause,
    /// again; <see cref="Tail"/> does not apply. Null: the classic call (leading silence, speech, tail, hang up).
    /// </summary>
    public ConversationSettings? Conversation { get; init; }

    /// <summary>Send <c>00 00 00</c> before closing, as a non-Asterisk client might (Asterisk never does).</summary>
    public bool SendHangupFrame { get; init; }

    /// <summary>
    /// Called from the receive loop for every frame of agent speech (non-silent audio) as it arrives; keep it cheap.
    /// A harness uses it to act at a moment of the conversation (stop a gateway while the agent speaks).
    /// </summary>
    public Action? OnAgentSpeech { get; init; }

    /// <summary>Keep the received audio (<see cref="CallResult.ReceivedAudio"/>).</summary>
    public bool Record { get; init; }

    /// <summary>TCP connect timeout (Asterisk: 2000 ms).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// After our hangup, how long to wait for the server to close its side before calling it a leak; zero closes at
    /// once and skips the check (exactly what Asterisk does).
    /// </summary>
    public TimeSpan CloseWait { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>The kind byte on the audio frames we send, and the one we expect back.</summary>
    public byte AudioKind => LabelLegacy ? Protocol.AudioSocketKind.Audio : Format.Kind;

    /// <summary>
    /// The format Asterisk reads our replies in: the rate their label names. Asterisk before 20.17 decodes every
    /// 0x10 frame as slin 8 kHz (and ignores 0x11-0x18), so with <see cref="LabelLegacy"/> replies must be slin.
    /// </summary>
    public CallFormat ReplyFormat => LabelLegacy || Format.RepliesInSlin8 ? CallFormat.Slin : Format;

    /// <summary>Number of 20 ms frames the call streams: leading silence, speech (last frame padded), tail.</summary>
    public int TotalFrames =>
        FramesIn(LeadingSilence) + (int)Math.Ceiling((double)Audio.Bytes.Length / Format.FrameBytes) + FramesIn(Tail);

    /// <summary>Checks the settings; throws <see cref="ArgumentException"/> naming the bad one.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException("host is empty", nameof(Host));
        }

        if (Port is < 1 or > 65535)
        {
            throw new ArgumentException($"port {Port} is not 1-65535", nameof(Port));
        }

        if (LeadingSilence < TimeSpan.Zero || Tail < TimeSpan.Zero)
        {
            throw new ArgumentException("leading silence and tail must be >= 0", nameof(Tail));
        }

        if (ConnectTimeout <= TimeSpan.Zero || CloseWait < TimeSpan.Zero)
        {
            throw new ArgumentException("connect timeout must be > 0 and close wait >= 0", nameof(ConnectTimeout));
        }

        if (Conversation is not null)
        {
            Conversation.Validate();
            if (SilentFrames.Of(this with { LeadingSilence = TimeSpan.Zero, Tail = TimeSpan.Zero }).LastSpeechFrame < 0)
            {
                throw new ArgumentException(
                    $"the caller's audio has no frame above {SilentFrames.ThresholdDbfs} dBFS: a conversation needs a caller who speaks", nameof(Conversation));
            }

            return; // DTMF times beyond the end are simply never reached: a conversation's length is not known in advance
        }

        var end = TimeSpan.FromMilliseconds(TotalFrames * CallFormat.FrameMilliseconds);
        foreach (var dtmf in Dtmf)
        {
            if (dtmf.At >= end)
            {
                throw new ArgumentException(
                    $"DTMF '{dtmf.Digit}' at {dtmf.At.TotalSeconds:0.###} s is after the end of the call ({end.TotalSeconds:0.###} s)",
                    nameof(Dtmf));
            }
        }
    }

    /// <summary>Whole 20 ms frames in <paramref name="duration"/>, rounded to the nearest frame.</summary>
    public static int FramesIn(TimeSpan duration) =>
        (int)Math.Round(duration.TotalMilliseconds / CallFormat.FrameMilliseconds, MidpointRounding.AwayFromZero);
}
