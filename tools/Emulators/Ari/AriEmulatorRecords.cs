namespace AiAgent.Emulators.Ari;

/// <summary>A channel the emulator holds, as a test sees it.</summary>
/// <param name="Id">The channel id.</param>
/// <param name="Name">The channel name (<c>AudioSocket/HOST:PORT-UUID</c> for external media).</param>
/// <param name="State">Ring, Down, Up.</param>
/// <param name="InStasis">True while in a Stasis application.</param>
/// <param name="ExternalMediaData">External media: the <c>data</c> UUID; null for a caller.</param>
/// <param name="BridgeId">The bridge it is in, if any.</param>
/// <param name="FramesToGateway">External media: audio frames sent to the AudioSocket server.</param>
/// <param name="FramesFromGateway">External media: audio frames received from it.</param>
public sealed record AriEmulatorChannelInfo(string Id, string Name, string State, bool InStasis, Guid? ExternalMediaData, string? BridgeId, long FramesToGateway, long FramesFromGateway);

/// <summary>A bridge the emulator holds.</summary>
/// <param name="Id">The bridge id.</param>
/// <param name="BridgeType">e.g. <c>mixing</c>.</param>
/// <param name="ChannelIds">The channels in it.</param>
public sealed record AriEmulatorBridgeInfo(string Id, string BridgeType, IReadOnlyList<string> ChannelIds);

/// <summary>One REST request the emulator answered (credentials left out).</summary>
/// <param name="Method">GET, POST, DELETE.</param>
/// <param name="Path">Below <c>/ari</c>, e.g. <c>/channels/1796186398.9/answer</c>.</param>
/// <param name="Query">The query string, e.g. <c>?reason_code=16</c> (an <c>api_key</c> is removed).</param>
/// <param name="StatusCode">What it answered.</param>
public sealed record AriEmulatorRequest(string Method, string Path, string Query, int StatusCode);

/// <summary>One event the emulator produced.</summary>
/// <param name="Application">The application it was for.</param>
/// <param name="Type">The event type.</param>
/// <param name="ChannelId">The channel it is about, if any.</param>
/// <param name="Json">The event as sent.</param>
/// <param name="Delivered">False when no events socket was connected for the application (the event was lost, as with Asterisk).</param>
public sealed record AriEmulatorEvent(string Application, string Type, string? ChannelId, string Json, bool Delivered);

/// <summary>
/// What a caller could hear from one moment on, until the next moment (<see cref="AriEmulatorCall.Moments"/>): recorded
/// whenever its bridge, its bridge's answered members or its hold music changed.
/// </summary>
/// <param name="At">When it changed.</param>
/// <param name="BridgeId">The bridge it is in, if any.</param>
/// <param name="OnHold">Hold music on (<c>POST /channels/{id}/moh</c>).</param>
/// <param name="InStasis">In the Stasis application (false once continued into the dialplan, or gone).</param>
/// <param name="Hears">The other answered channels in its bridge (external media, an originated channel).</param>
/// <param name="Gone">The channel is gone.</param>
public sealed record AriCallerMoment(DateTimeOffset At, string? BridgeId, bool OnHold, bool InStasis, IReadOnlyList<string> Hears, bool Gone)
{
    /// <summary>Neither hold music nor anyone to hear while still in the application: dead air, once the caller was connected.</summary>
    public bool Silent => !Gone && InStasis && !OnHold && Hears.Count == 0;
}
