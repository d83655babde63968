using Microsoft.Extensions.Configuration;

namespace AiAgent.Gateway.Configuration;

/// <summary>The <c>audiosocket</c> section of <c>config/ai-agent.yaml</c>: the AudioSocket listener and its playout.</summary>
public sealed class AudioSocketOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "audiosocket";

    /// <summary><c>host</c>: the address to listen on (an IP address, <c>localhost</c> or <c>*</c>).</summary>
    public string Host { get; set; } = "0.0.0.0";

    /// <summary><c>port</c>: the AudioSocket TCP port (0 picks a free one, for tests).</summary>
    public int Port { get; set; } = 8090;

    /// <summary>
    /// <c>format</c>: what the Asterisk channel carries (see <see cref="AudioSocketFormats.Names"/>). Asterisk's
    /// explicit rate labels 0x11-0x18 override it; 0x10 frames are taken to be in this format, because older
    /// Asterisk labels every format 0x10 (a <c>c(slin16)</c> channel sends 640-byte 0x10 frames) and so does
    /// every Asterisk for a <c>c(ulaw)</c>/<c>c(alaw)</c> channel. Asterisk reads a 0x10 frame we send as slin
    /// 8 kHz whatever the channel, so a call whose audio arrives labelled 0x10 is answered in slin 8 kHz.
    /// </summary>
    public string Format { get; set; } = AudioSocketFormats.DefaultName;

    /// <summary>
    /// <c>format_probe_ms</c>: how long to wait after the UUID for the first audio frame, whose label tells the
    /// call's format before the call starts. The dialplan app streams at once; with <c>Dial(AudioSocket/...)</c>
    /// or ARI the UUID comes when the call is placed and audio once the channel is bridged.
    /// </summary>
    [ConfigurationKeyName("format_probe_ms")]
    public int FormatProbeMs { get; set; } = 1_000;

    /// <summary><c>frame_ms</c>: the duration of one outbound frame (Asterisk's ptime; 20 is what RTP expects).</summary>
    [ConfigurationKeyName("frame_ms")]
    public int FrameMs { get; set; } = 20;

    /// <summary><c>uuid_timeout_ms</c>: a connection that sends no UUID frame within this is hung up.</summary>
    [ConfigurationKeyName("uuid_timeout_ms")]
    public int UuidTimeoutMs { get; set; } = 5_000;

    /// <summary><c>idle_timeout_seconds</c>: a caller silent this long (and no agent audio playing) starts the idle grace period.</summary>
    [ConfigurationKeyName("idle_timeout_seconds")]
    public int IdleTimeoutSeconds { get; set; } = 30;

    /// <summary><c>idle_grace_seconds</c>: after the idle timeout, this much more silence hangs the call up.</summary>
    [ConfigurationKeyName("idle_grace_seconds")]
    public int IdleGraceSeconds { get; set; } = 5;

    /// <summary><c>idle_speech_threshold_dbfs</c>: an inbound frame louder than this (RMS) counts as the caller speaking.</summary>
    [ConfigurationKeyName("idle_speech_threshold_dbfs")]
    public double IdleSpeechThresholdDbfs { get; set; } = -45;

    /// <summary>
    /// <c>keepalive_ms</c>: when neither side has sent a frame for this long, send silence frames (Asterisk's
    /// AudioSocket app drops a call after 2 s with no frame in either direction). 0 disables it.
    /// </summary>
    [ConfigurationKeyName("keepalive_ms")]
    public int KeepaliveMs { get; set; } = 1_000;

    /// <summary>
    /// <c>caller_gap_fill_ms</c>: when the caller's next frame is this late (measured from the end of the audio it
    /// has sent), silence frames in the caller's format are supplied to the grain at the frame rate until a real
    /// frame comes, so end of turn and provider VAD see time pass with a caller that sends nothing while silent
    /// (silence suppression, DTX). 0 turns it off. The default, two 20 ms frames, is far above Asterisk's jitter.
    /// </summary>
    [ConfigurationKeyName("caller_gap_fill_ms")]
    public int CallerGapFillMs { get; set; } = 40;

    /// <summary>
    /// <c>caller_frames_per_message</c>: caller frames sent to the grain in one message, and so to the provider in one
    /// append. 2 halves the messages, arrays and provider sends per call-second; the first frame of each pair waits one
    /// frame period for the second (docs/performance.md, "Caller frames per message"). 1 sends each frame at once.
    /// </summary>
    [ConfigurationKeyName("caller_frames_per_message")]
    public int CallerFramesPerMessage { get; set; } = 2;

    /// <summary><c>playout_lead_ms</c>: agent audio written ahead of real time when playout starts, so a late tick does not starve the caller.</summary>
    [ConfigurationKeyName("playout_lead_ms")]
    public int PlayoutLeadMs { get; set; } = 40;

    /// <summary><c>max_queue_seconds</c>: per-call playout queue bound; past it the oldest audio is dropped (counted).</summary>
    [ConfigurationKeyName("max_queue_seconds")]
    public int MaxQueueSeconds { get; set; } = 60;

    /// <summary>
    /// <c>liveness_ms</c>: how often the gateway asks the activation carrying each call whether it still does. Caller
    /// audio is one-way and reports no failure, so this bounds how long a call stays silent after its silo is lost:
    /// at most this plus the ping's 1 s timeout before the call is restored on a live silo.
    /// </summary>
    [ConfigurationKeyName("liveness_ms")]
    public int LivenessMs { get; set; } = 500;

    /// <summary>
    /// <c>failover_replay_ms</c>: the most caller audio kept since the agent last answered, replayed to a restored
    /// activation so the turn the lost one never answered is heard. 0 = none.
    /// </summary>
    [ConfigurationKeyName("failover_replay_ms")]
    public int FailoverReplayMs { get; set; } = 5_000;

    /// <summary>Allowed <see cref="UnknownKind"/> values.</summary>
    public static readonly IReadOnlyList<string> UnknownKindPolicies = ["hangup", "ignore"];

    /// <summary>
    /// <c>unknown_kind</c>: what a frame of an undefined kind (e.g. the Go library's 0x02) does: <c>hangup</c> (a
    /// logged protocol error, hangup frame, close) or <c>ignore</c> (logged once per call and skipped; its length
    /// is still checked against <see cref="MaxFrameBytes"/>).
    /// </summary>
    [ConfigurationKeyName("unknown_kind")]
    public string UnknownKind { get; set; } = "hangup";

    /// <summary>True when unknown kinds are skipped rather than ending the call.</summary>
    public bool IgnoreUnknownKinds => string.Equals(UnknownKind, "ignore", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <c>max_frame_bytes</c>: the largest inbound payload accepted; a larger header is a protocol error. The
    /// default is the protocol's own limit (a 16-bit length): Asterisk may send any even, non-zero length.
    /// </summary>
    [ConfigurationKeyName("max_frame_bytes")]
    public int MaxFrameBytes { get; set; } = 65_535;
}

/// <summary>The <c>gateway</c> section: settings of the gateway process itself.</summary>
public sealed class GatewayInstanceOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "gateway";

    /// <summary><c>id</c>: this gateway's name in call records (defaults to the host name).</summary>
    public string? Id { get; set; }

    /// <summary><c>http_port</c>: health (and later metrics) port of the standalone gateway.</summary>
    [ConfigurationKeyName("http_port")]
    public int HttpPort { get; set; } = 8091;

    /// <summary>
    /// <c>drain_timeout_seconds</c>: when the host stops, how long live calls may take to reach a quiet moment (no agent
    /// audio queued or playing, the caller not speaking) before they are ended anyway, each with the <c>reconnect</c>
    /// disposition. The host's shutdown timeout is raised to cover it (<see cref="DrainStopMargin"/> more).
    /// </summary>
    [ConfigurationKeyName("drain_timeout_seconds")]
    public int DrainTimeoutSeconds { get; set; } = 20;

    /// <summary>What the host's stop needs besides the drain: the last calls' close, the Orleans client, Kestrel.</summary>
    public static readonly TimeSpan DrainStopMargin = TimeSpan.FromSeconds(10);

    /// <summary><see cref="DrainTimeoutSeconds"/> as a span.</summary>
    public TimeSpan DrainTimeout => TimeSpan.FromSeconds(DrainTimeoutSeconds);

    /// <summary>The id used when <see cref="Id"/> is not set.</summary>
    public string EffectiveId => string.IsNullOrWhiteSpace(Id) ? Environment.MachineName : Id;
}
