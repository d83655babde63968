namespace AiAgent.Grains.Interfaces.Asterisk;

/// <summary>Where a warm transfer dials, from the destination's config (never shown to the model).</summary>
/// <param name="Destination">The destination name (<c>transfer.destinations[].name</c>).</param>
/// <param name="Endpoint">The ARI originate endpoint of the human, e.g. <c>PJSIP/sales-desk</c>.</param>
/// <param name="RingTimeoutSeconds">How long the human's phone rings before the transfer counts as not answered.</param>
/// <param name="AcceptTimeoutSeconds">How long the human has, once briefed, to press 1 (accept) or 2 (decline).</param>
[GenerateSerializer, Immutable, Alias("AiAgent.WarmTransferTarget")]
public sealed record WarmTransferTarget(
    [property: Id(0)] string Destination,
    [property: Id(1)] string Endpoint,
    [property: Id(2)] int RingTimeoutSeconds,
    [property: Id(3)] int AcceptTimeoutSeconds);

/// <summary>How a warm transfer ended.</summary>
public enum WarmTransferOutcome
{
    /// <summary>The human pressed 1: caller and human are bridged, the agent leaves the call.</summary>
    Accepted = 0,

    /// <summary>The human pressed 2 or hung up after answering: the caller is back with the agent.</summary>
    Declined = 1,

    /// <summary>The human's phone was not answered in time (or was busy, or the endpoint does not exist): the caller is back with the agent.</summary>
    NoAnswer = 2,

    /// <summary>The human answered but neither accepted nor declined in time: the caller is back with the agent.</summary>
    TimedOut = 3,

    /// <summary>An ARI request failed: the caller is back with the agent.</summary>
    Failed = 4,
}
