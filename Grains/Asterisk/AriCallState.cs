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
}
