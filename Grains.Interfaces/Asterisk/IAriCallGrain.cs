namespace AiAgent.Grains.Interfaces.Asterisk;

/// <summary>
/// One caller channel in ARI mode (key: the call id, a UUID v5 of the ARI endpoint and the caller's channel id, see
/// <c>AriCallId</c>). It answers, bridges the caller with an AudioSocket external-media leg and cleans both legs and the
/// bridge up on any end. Every method is idempotent: a repeated or doubly delivered event changes nothing
/// (docs/Architecture.md, "ARI mode").
/// </summary>
public interface IAriCallGrain : IGrainWithGuidKey
{
    /// <summary>The caller's <c>StasisStart</c> (or a reconcile that found it in our application): start the call once.</summary>
    Task StartAsync(string callerChannelId);

    /// <summary>The caller hung up or left the application (<c>ChannelHangupRequest</c>, <c>StasisEnd</c>, <c>ChannelDestroyed</c>).</summary>
    Task CallerEndedAsync(string callerChannelId);

    /// <summary>
    /// The external-media leg ended (<c>StasisEnd</c> / <c>ChannelDestroyed</c>: the gateway sent 00 00 00, closed or
    /// died). A live call (<c>reconnect</c>) gets a new leg to another gateway in the same bridge; any other end is acted on.
    /// </summary>
    Task MediaLegEndedAsync(string mediaChannelId);

    /// <summary>The caller pressed a key (<c>ChannelDtmfReceived</c>).</summary>
    Task DtmfAsync(string callerChannelId, char digit);

    /// <summary>After an events-socket reconnect: look the legs up and clean up whatever ended during the drop.</summary>
    Task ReconcileAsync();
}
