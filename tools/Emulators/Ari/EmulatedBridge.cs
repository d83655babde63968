namespace AiAgent.Emulators.Ari;

/// <summary>A Stasis bridge held by the emulator (guarded by the emulator's lock).</summary>
internal sealed class EmulatedBridge(string id, string bridgeType, string creationTime, string application)
{
    public string Id { get; } = id;

    public string BridgeType { get; } = bridgeType;

    public string CreationTime { get; } = creationTime;

    /// <summary>The application that created it (gets its events).</summary>
    public string Application { get; } = application;

    public List<EmulatedChannel> Channels { get; } = [];
}
