namespace AiAgent.Grains.Asterisk;

/// <summary>How far an ARI call got; persisted after each step so a reactivation or a new lease holder can clean up.</summary>
public enum AriCallPhase
{
    /// <summary>Nothing done yet.</summary>
    New = 0,

    /// <summary>Answer, subscription, bridge and external media are being set up.</summary>
    Starting = 1,

    /// <summary>Both legs are in the bridge: the call is on the CallGrain path.</summary>
    Connected = 2,

    /// <summary>Cleanup has begun.</summary>
    Ending = 3,

    /// <summary>Both legs and the bridge are gone (or handed back to the dialplan).</summary>
    Ended = 4,

    /// <summary>The media leg ended while the call is live: a new one is being dialled into the same bridge.</summary>
    Reconnecting = 5,

    /// <summary>
    /// A warm transfer was accepted: the caller is bridged with the human (<see cref="AriCallState.PartnerChannelId"/>),
    /// the media leg is gone, and either side hanging up hangs up the other and destroys the bridge.
    /// </summary>
    HandedOver = 6,
}

/// <summary>Where a warm transfer is (<see cref="AriWarmTransfer"/>).</summary>
public enum AriTransferPhase
{
    /// <summary>The caller is being put on hold music and taken out of the bridge; the human is about to be dialled.</summary>
    Holding = 0,

    /// <summary>The human's phone rings (the originate is out).</summary>
    Ringing = 1,

    /// <summary>The human answered and is in the bridge with the agent, being briefed; DTMF 1 accepts, 2 declines.</summary>
    Briefing = 2,

    /// <summary>DTMF 1 came: the caller is being bridged with the human and the agent's leg taken away.</summary>
    Accepting = 3,

    /// <summary>The transfer did not go through: the human's leg is being hung up and the caller put back with the agent.</summary>
    Returning = 4,
}

/// <summary>A warm transfer in progress, persisted in <see cref="AriCallState.Transfer"/> so a repeated event or a reactivation finds it.</summary>
[GenerateSerializer, Alias("AiAgent.AriWarmTransfer")]
public sealed class AriWarmTransfer
{
    /// <summary>Where it is.</summary>
    [Id(0)]
    public AriTransferPhase Phase { get; set; }

    /// <summary>The destination name (<c>transfer.destinations[].name</c>).</summary>
    [Id(1)]
    public string Destination { get; set; } = string.Empty;

    /// <summary>The human's originate endpoint, e.g. <c>PJSIP/sales-desk</c>.</summary>
    [Id(2)]
    public string Endpoint { get; set; } = string.Empty;

    /// <summary>The human's channel id (<see cref="AriTransferLeg.ChannelId"/>: chosen before the originate).</summary>
    [Id(3)]
    public string ChannelId { get; set; } = string.Empty;

    /// <summary>
    /// The grain told of the briefing and the outcome (<c>ICallTransferParty</c>: the call grain's activation at its
    /// epoch), as its grain id's text, so exactly that grain is called back whatever else implements the interface.
    /// </summary>
    [Id(4)]
    public string PartyGrainId { get; set; } = string.Empty;

    /// <summary>Seconds the human's phone may ring.</summary>
    [Id(6)]
    public int RingTimeoutSeconds { get; set; }

    /// <summary>Seconds the human has, once briefed, to press 1 or 2.</summary>
    [Id(7)]
    public int AcceptTimeoutSeconds { get; set; }

    /// <summary>When the current phase times out (ring, then accept); a reactivation re-arms its timer from it.</summary>
    [Id(8)]
    public DateTimeOffset? Deadline { get; set; }

    /// <summary>True once the caller left the agent's bridge (it is on hold music from before that).</summary>
    [Id(9)]
    public bool CallerOutOfBridge { get; set; }

    /// <summary>True once the human's leg is known gone (its end event came): nothing to hang up.</summary>
    [Id(10)]
    public bool LegGone { get; set; }

    /// <summary>True once the human's leg was added to the bridge.</summary>
    [Id(11)]
    public bool LegInBridge { get; set; }

    /// <summary>True once the agent's media leg was taken out of the bridge (accepting).</summary>
    [Id(12)]
    public bool MediaOutOfBridge { get; set; }
}

/// <summary>The small persisted state of <see cref="AriCallGrain"/>.</summary>
[GenerateSerializer, Alias("AiAgent.AriCallState")]
public sealed class AriCallState
{
    /// <summary>The caller's channel id.</summary>
    [Id(0)]
    public string? CallerChannelId { get; set; }

    /// <summary>The external-media channel id, once created.</summary>
    [Id(1)]
    public string? MediaChannelId { get; set; }

    /// <summary>The mixing bridge id, once created.</summary>
    [Id(2)]
    public string? BridgeId { get; set; }

    /// <summary>Where the call is.</summary>
    [Id(3)]
    public AriCallPhase Phase { get; set; }

    /// <summary>True once the caller was answered.</summary>
    [Id(4)]
    public bool Answered { get; set; }

    /// <summary>True once the caller channel is subscribed (so its <c>ChannelDestroyed</c> reaches us).</summary>
    [Id(5)]
    public bool Subscribed { get; set; }

    /// <summary>What the call ended with, for the logs and tests (<c>hangup</c>, <c>transfer:NAME</c> …).</summary>
    [Id(6)]
    public string? Outcome { get; set; }

    /// <summary>The gateway address (<c>host:port</c>) the current media leg dialled.</summary>
    [Id(7)]
    public string? MediaHost { get; set; }

    /// <summary>While <see cref="AriCallPhase.Reconnecting"/>: the gateway whose leg ended (the next dial avoids it).</summary>
    [Id(8)]
    public string? FailedHost { get; set; }

    /// <summary>Re-dial attempts since the last media leg that stayed up (bounds a gateway that keeps dropping the leg).</summary>
    [Id(9)]
    public int RedialAttempts { get; set; }

    /// <summary>When the current media leg joined the bridge.</summary>
    [Id(10)]
    public DateTimeOffset? MediaBridgedAt { get; set; }

    /// <summary>Media legs bridged over the call's life (1 without a re-dial).</summary>
    [Id(11)]
    public int MediaLegs { get; set; }

    /// <summary>The warm transfer in progress, if any.</summary>
    [Id(12)]
    public AriWarmTransfer? Transfer { get; set; }

    /// <summary>Warm transfers started over the call's life (numbers each human leg's channel id).</summary>
    [Id(13)]
    public int TransferAttempts { get; set; }

    /// <summary><see cref="AriCallPhase.HandedOver"/>: the human's channel, bridged with the caller.</summary>
    [Id(14)]
    public string? PartnerChannelId { get; set; }

    /// <summary>After a hand-over: the agent's media leg, taken out of the bridge and still to be deleted.</summary>
    [Id(15)]
    public string? RetiredMediaChannelId { get; set; }
}
