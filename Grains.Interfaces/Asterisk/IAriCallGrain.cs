using AiAgent.Grains.Interfaces.Calls;

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

    /// <summary>
    /// The agent hands the caller to a human with a briefing (ARI mode; its handoff sentence has played out): the caller
    /// goes on hold music, <paramref name="target"/> is dialled, and once the human answers they join the agent's bridge
    /// and <paramref name="call"/> is told (<see cref="ICallTransferParty.WarmTransferAnsweredAsync"/>) so the agent briefs
    /// them. DTMF 1 from the human bridges caller and human; 2, a hang-up, no answer or a timeout returns the caller to
    /// the agent. Either way <paramref name="call"/> learns the outcome (<see cref="ICallTransferParty.WarmTransferEndedAsync"/>).
    /// False when the call is not in a state to transfer (then nothing changed).
    /// </summary>
    Task<bool> WarmTransferAsync(WarmTransferTarget target, ICallTransferParty call);

    /// <summary>A channel we originated for a warm transfer entered the application (the human answered: <c>StasisStart</c>).</summary>
    Task TransferLegAnsweredAsync(string channelId);

    /// <summary>A warm-transfer leg ended (<c>ChannelDestroyed</c>: not answered, busy, or the human hung up).</summary>
    Task TransferLegEndedAsync(string channelId, int cause);

    /// <summary>The human pressed a key on the warm-transfer leg (<c>ChannelDtmfReceived</c>).</summary>
    Task TransferLegDtmfAsync(string channelId, char digit);

    /// <summary>After an events-socket reconnect: look the legs up and clean up whatever ended during the drop.</summary>
    Task ReconcileAsync();
}
