using AiAgent.Grains.Asterisk.Ari;
using AiAgent.Grains.Interfaces.Asterisk;

namespace AiAgent.Grains.Asterisk;

/// <summary>
/// Maps ARI events and the channel list of a reconcile to per-call grain calls, keyed by call id so one call's work
/// stays in order: a caller channel's id is <see cref="AriCallId.For"/>, an external-media leg carries its call's id, and
/// a warm transfer's human leg has its call's id in its channel id (<see cref="AriTransferLeg"/>).
/// </summary>
internal sealed class AriEventRouter(IGrainFactory grains, string endpointKey, string app)
{
    /// <summary>The call id and the grain work for <paramref name="ariEvent"/>, or null when it is not ours to act on.</summary>
    public (Guid CallId, Func<Task> Work)? Route(AriEvent ariEvent)
    {
        switch (ariEvent)
        {
            case StasisStartEvent start when (TransferLeg(start.Channel) ?? AriTransferLeg.CallIdOfArgs(start.Args)) is { } transferCall:
                return (transferCall, () => Grain(transferCall).TransferLegAnsweredAsync(start.Channel.Id));
            case StasisEndEvent end when TransferLeg(end.Channel) is { } transferCall:
                return (transferCall, () => Grain(transferCall).TransferLegEndedAsync(end.Channel.Id, 0));
            case ChannelHangupRequestEvent hangup when TransferLeg(hangup.Channel) is { } transferCall:
                return (transferCall, () => Grain(transferCall).TransferLegEndedAsync(hangup.Channel.Id, hangup.Cause ?? 0));
            case ChannelDestroyedEvent destroyed when TransferLeg(destroyed.Channel) is { } transferCall:
                return (transferCall, () => Grain(transferCall).TransferLegEndedAsync(destroyed.Channel.Id, destroyed.Cause));
            case ChannelDtmfReceivedEvent dtmf when TransferLeg(dtmf.Channel) is { } transferCall:
                return dtmf.Digit.Length == 1 ? (transferCall, () => Grain(transferCall).TransferLegDtmfAsync(dtmf.Channel.Id, dtmf.Digit[0])) : null;
            case StasisStartEvent start when MediaLeg(start.Channel) is null:
                return ForCaller(start.Channel, grain => grain.StartAsync(start.Channel.Id));
            case StasisStartEvent:
                return null; // our own external-media leg (args = [uuid]), not a new caller
            case StasisEndEvent end:
                return Ended(end.Channel);
            case ChannelHangupRequestEvent hangup:
                return Ended(hangup.Channel);
            case ChannelDestroyedEvent destroyed:
                return Ended(destroyed.Channel);
            case ChannelDtmfReceivedEvent dtmf when MediaLeg(dtmf.Channel) is null && dtmf.Digit.Length == 1:
                return ForCaller(dtmf.Channel, grain => grain.DtmfAsync(dtmf.Channel.Id, dtmf.Digit[0]));
            default:
                return null;
        }
    }

    /// <summary>The grain work a reconcile needs for each live channel: start callers (missed StasisStarts), check every known call.</summary>
    public IEnumerable<(Guid CallId, Func<Task> Work)> Reconcile(IReadOnlyList<AriChannel> channels)
    {
        var seen = new HashSet<Guid>();
        foreach (var channel in channels)
        {
            // A transfer leg runs Stasis(app,…) too: it must never be taken for a new caller.
            if ((TransferLeg(channel) ?? MediaLeg(channel)) is { } mediaCall)
            {
                if (seen.Add(mediaCall))
                {
                    yield return (mediaCall, () => Grain(mediaCall).ReconcileAsync());
                }
            }
            else if (IsOurCaller(channel))
            {
                var callId = AriCallId.For(endpointKey, channel.Id);
                if (seen.Add(callId))
                {
                    yield return (callId, async () =>
                    {
                        await Grain(callId).StartAsync(channel.Id);
                        await Grain(callId).ReconcileAsync();
                    });
                }
            }
        }
    }

    /// <summary>A caller channel in our application: dialplan app <c>Stasis</c> with our name first in its data.</summary>
    public bool IsOurCaller(AriChannel channel) =>
        TransferLeg(channel) is null
        && channel.Dialplan is { AppName: "Stasis", AppData: { } data }
        && (data == app || data.StartsWith(app + ",", StringComparison.Ordinal));

    private static Guid? TransferLeg(AriChannel channel) => AriTransferLeg.CallIdOf(channel.Id);

    private static Guid? MediaLeg(AriChannel channel) =>
        AriCallId.OfMediaLeg(channel.Name, channel.ChannelVars?.GetValueOrDefault("AUDIOSOCKET_UUID"));

    private (Guid, Func<Task>)? Ended(AriChannel channel) => MediaLeg(channel) is { } callId
        ? (callId, () => Grain(callId).MediaLegEndedAsync(channel.Id))
        : ForCaller(channel, grain => grain.CallerEndedAsync(channel.Id));

    private (Guid, Func<Task>)? ForCaller(AriChannel channel, Func<IAriCallGrain, Task> work)
    {
        if (string.IsNullOrEmpty(channel.Id))
        {
            return null;
        }

        var callId = AriCallId.For(endpointKey, channel.Id);
        return (callId, () => work(Grain(callId)));
    }

    private IAriCallGrain Grain(Guid callId) => grains.GetGrain<IAriCallGrain>(callId);
}
