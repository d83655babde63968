namespace AiAgent.Grains.Asterisk.Ari;

/// <summary>An ARI <c>Bridge</c>.</summary>
public sealed record AriBridge
{
    /// <summary>The bridge id (a UUID string).</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>e.g. <c>simple_bridge</c>.</summary>
    public string Technology { get; init; } = string.Empty;

    /// <summary>e.g. <c>mixing</c>.</summary>
    public string BridgeType { get; init; } = string.Empty;

    /// <summary>e.g. <c>stasis</c>.</summary>
    public string? BridgeClass { get; init; }

    /// <summary>Ids of the channels in the bridge.</summary>
    public IReadOnlyList<string> Channels { get; init; } = [];
}
