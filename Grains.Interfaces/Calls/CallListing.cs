using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>
/// One live call as the call directory lists it: the summary the operators' list shows, carried in the listing so
/// that listing calls never asks the calls themselves. The call builds it at every announcement; the registry of the
/// silo hosting the call stamps <see cref="Silo"/> and <see cref="LastSeenUtc"/>.
/// </summary>
/// <param name="CallId">The AudioSocket call UUID.</param>
/// <param name="Provider">The provider serving the call.</param>
/// <param name="StartedAtUtc">When the call started.</param>
/// <param name="State">The call's state when it announced itself.</param>
/// <param name="Format">The call's AudioSocket format.</param>
/// <param name="GatewayId">The gateway holding the call's socket.</param>
/// <param name="Turns">Caller turns answered so far (turn latencies measured).</param>
/// <param name="LastTurnLatencyMs">The latest turn latency, if any.</param>
/// <param name="Epoch">
/// The call activation's epoch: a call restored after its silo was lost is announced again by a new activation with
/// a higher epoch, possibly on another silo, while the old entry may linger; the highest epoch is the call.
/// </param>
[GenerateSerializer, Immutable, Alias("AiAgent.CallListing")]
public sealed record CallListing(
    [property: Id(0)] Guid CallId,
    [property: Id(1)] string Provider,
    [property: Id(2)] DateTime StartedAtUtc,
    [property: Id(4)] CallState State, // Id 3 was EndedAtUtc, which a live listing never has; not reused
    [property: Id(5)] AudioFormat Format,
    [property: Id(6)] string? GatewayId,
    [property: Id(7)] int Turns,
    [property: Id(8)] double? LastTurnLatencyMs,
    [property: Id(9)] int Epoch = 0)
{
    /// <summary>The silo whose registry holds this entry (set by the registry).</summary>
    [Id(10)]
    public string? Silo { get; init; }

    /// <summary>When the call last announced itself (set by the registry); an entry not refreshed in time expires.</summary>
    [Id(11)]
    public DateTime LastSeenUtc { get; init; }
}
