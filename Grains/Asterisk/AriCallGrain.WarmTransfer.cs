using AiAgent.Grains.Asterisk.Ari;
using AiAgent.Grains.Interfaces.Asterisk;
using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Asterisk;

/// <summary>
/// Warm transfer in ARI mode (docs/ari.md, "Warm transfer"): the caller goes on hold music and out of the agent's
/// bridge, the human is originated into our application, joins the agent's bridge to be briefed, and DTMF 1 hands the
/// caller over (caller and human bridged, the agent's leg deleted) while 2, a hang-up, no answer or a timeout brings the
/// caller back to the agent. The caller is never left without hold music outside a bridge with the agent or the human:
/// hold music starts before it leaves the bridge and stops only after it joined one again.
/// </summary>
public sealed partial class AriCallGrain
{
    /// <summary>Asterisk's own ring timeout is this much longer than ours: a backstop should this grain be gone.</summary>
    public static readonly TimeSpan OriginateTimeoutMargin = TimeSpan.FromSeconds(5);

    private IGrainTimer? _transferTimer;

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A reactivation mid-transfer re-arms the ring or accept timer from the persisted deadline.
        if (S.Transfer is { Phase: AriTransferPhase.Ringing or AriTransferPhase.Briefing, Deadline: { } deadline } transfer)
        {
            StartTransferTimer(transfer.ChannelId, deadline);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<bool> WarmTransferAsync(WarmTransferTarget target, ICallTransferParty call)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(call);
        if (S.Phase != AriCallPhase.Connected || S.Transfer is not null || S.CallerChannelId is not { } caller || S.BridgeId is not { } bridge || S.MediaChannelId is null)
        {
            AriWarmTransferLog.NotTransferable(logger, CallId, S.Phase.ToString(), S.Transfer?.Phase.ToString());
            return false;
        }

        if (!IsDiallable(target))
        {
            AriWarmTransferLog.BadTarget(logger, CallId, target.Destination);
            return false;
        }

        S.TransferAttempts++;
        var transfer = new AriWarmTransfer
        {
            Phase = AriTransferPhase.Holding,
            Destination = target.Destination,
            Endpoint = target.Endpoint,
            ChannelId = AriTransferLeg.ChannelId(CallId, S.TransferAttempts),
            PartyGrainId = call.GetGrainId().ToString(),
            RingTimeoutSeconds = target.RingTimeoutSeconds,
            AcceptTimeoutSeconds = target.AcceptTimeoutSeconds,
        };
        S.Transfer = transfer;
        await state.WriteStateAsync();
        AriWarmTransferLog.Starting(logger, CallId, target.Destination, target.Endpoint, transfer.ChannelId);
        try
        {
            // Hold music first, then out of the bridge: the caller never hears the agent stop without the music.
            await ari.StartMohAsync(caller);
            await ari.RemoveChannelsAsync(bridge, [caller]);
            transfer.CallerOutOfBridge = true;
            var callerId = CallerIdOf(await ari.GetChannelAsync(caller));
            transfer.Phase = AriTransferPhase.Ringing;
            transfer.Deadline = time.GetUtcNow().AddSeconds(target.RingTimeoutSeconds);
            await state.WriteStateAsync();
            var ariOptions = options.CurrentValue.Ari;
            await ari.OriginateAsync(new AriOriginate(target.Endpoint, ariOptions.App, AriTransferLeg.AppArgs(CallId), target.RingTimeoutSeconds + (int)OriginateTimeoutMargin.TotalSeconds)
            {
                CallerId = callerId,
                Originator = caller,
                ChannelId = transfer.ChannelId,
            });
            StartTransferTimer(transfer.ChannelId, transfer.Deadline.Value);
            AriWarmTransferLog.Ringing(logger, CallId, transfer.ChannelId, target.RingTimeoutSeconds);
        }
        catch (Exception exception) when (exception is AriException or HttpRequestException or TaskCanceledException)
        {
            AriWarmTransferLog.RequestFailed(logger, CallId, "start", exception);
            // The caller's side asked: it learns the outcome once this request has returned (a callback now would wait on it).
            await ReturnCallerAsync(WarmTransferOutcome.Failed, tellAfterThisRequest: true);
        }

        return true;
    }

    /// <inheritdoc/>
    public async Task TransferLegAnsweredAsync(string channelId)
    {
        if (S.Transfer is not { } transfer || transfer.ChannelId != channelId)
        {
            if (AriTransferLeg.CallIdOf(channelId) == CallId && channelId != S.PartnerChannelId)
            {
                // A leg of an earlier attempt answered after we gave up on it: nobody waits for that person.
                AriWarmTransferLog.StaleLegAnswered(logger, CallId, channelId);
                await TryAsync("hangup stale transfer leg", () => ari.HangupAsync(channelId, 16));
            }

            return;
        }

        if (transfer.Phase != AriTransferPhase.Ringing)
        {
            return; // a repeated StasisStart
        }

        transfer.Phase = AriTransferPhase.Briefing;
        transfer.Deadline = time.GetUtcNow().AddSeconds(transfer.AcceptTimeoutSeconds);
        await state.WriteStateAsync();
        try
        {
            await ari.AddChannelsAsync(S.BridgeId!, [channelId]);
            transfer.LegInBridge = true;
            await state.WriteStateAsync();
        }
        catch (Exception exception) when (exception is AriException or HttpRequestException or TaskCanceledException)
        {
            AriWarmTransferLog.RequestFailed(logger, CallId, "bridge the human", exception);
            await ReturnCallerAsync(WarmTransferOutcome.Failed);
            return;
        }

        StartTransferTimer(channelId, transfer.Deadline.Value);
        AriWarmTransferLog.Answered(logger, CallId, transfer.Destination, transfer.AcceptTimeoutSeconds);
        await TellPartyAsync(transfer, "answered", party => party.WarmTransferAnsweredAsync());
    }

    /// <inheritdoc/>
    public async Task TransferLegDtmfAsync(string channelId, char digit)
    {
        if (S.Transfer is not { Phase: AriTransferPhase.Briefing } transfer || transfer.ChannelId != channelId)
        {
            return;
        }

        switch (digit)
        {
            case '1':
                await AcceptAsync(transfer);
                break;
            case '2':
                AriWarmTransferLog.Declined(logger, CallId, transfer.Destination);
                await ReturnCallerAsync(WarmTransferOutcome.Declined);
                break;
            default:
                break; // only 1 and 2 mean anything to the human
        }
    }

    /// <inheritdoc/>
    public async Task TransferLegEndedAsync(string channelId, int cause)
    {
        if (S.Phase == AriCallPhase.HandedOver && S.PartnerChannelId == channelId)
        {
            // The human hung up after taking the call: the caller goes too, as in any two-party call.
            AriWarmTransferLog.PartnerEnded(logger, CallId, "human");
            S.PartnerChannelId = null;
            await CleanUpAsync(hangUpCaller: true, S.Outcome ?? "transfer");
            return;
        }

        if (S.Transfer is not { } transfer || transfer.ChannelId != channelId || transfer.LegGone
            || transfer.Phase is AriTransferPhase.Accepting or AriTransferPhase.Returning)
        {
            return; // another leg, our own DELETE echoing back, or the next end event of the same leg
        }

        transfer.LegGone = true;
        var outcome = transfer.Phase == AriTransferPhase.Briefing ? WarmTransferOutcome.Declined : WarmTransferOutcome.NoAnswer;
        AriWarmTransferLog.LegEnded(logger, CallId, transfer.Destination, transfer.Phase.ToString(), cause, outcome.ToString());
        await ReturnCallerAsync(outcome);
    }

    /// <summary>DTMF 1: the agent's leg out of the bridge, the caller in (then its hold music off), the agent told, its leg deleted.</summary>
    private async Task AcceptAsync(AriWarmTransfer transfer)
    {
        transfer.Phase = AriTransferPhase.Accepting;
        StopTransferTimer();
        await state.WriteStateAsync();
        var media = S.MediaChannelId;
        try
        {
            if (media is not null)
            {
                await ari.RemoveChannelsAsync(S.BridgeId!, [media]);
                transfer.MediaOutOfBridge = true;
            }

            await ari.AddChannelsAsync(S.BridgeId!, [S.CallerChannelId!]);
            transfer.CallerOutOfBridge = false;
            await ari.StopMohAsync(S.CallerChannelId!);
        }
        catch (Exception exception) when (exception is AriException or HttpRequestException or TaskCanceledException)
        {
            AriWarmTransferLog.RequestFailed(logger, CallId, "hand over", exception);
            await ReturnCallerAsync(WarmTransferOutcome.Failed);
            return;
        }

        // From here the call is the caller and the human: the media leg's end (and the call's transfer disposition)
        // no longer concern the caller.
        S.Phase = AriCallPhase.HandedOver;
        S.PartnerChannelId = transfer.ChannelId;
        S.RetiredMediaChannelId = media;
        S.MediaChannelId = null;
        S.MediaHost = null;
        S.Outcome = "transfer:" + transfer.Destination;
        S.Transfer = null;
        await state.WriteStateAsync();
        AriWarmTransferLog.Accepted(logger, CallId, transfer.Destination);
        await TellPartyAsync(transfer, "ended", party => party.WarmTransferEndedAsync(WarmTransferOutcome.Accepted));
        if (S.RetiredMediaChannelId is { } retired)
        {
            await TryAsync("hangup media leg", () => ari.HangupAsync(retired, 16));
            S.RetiredMediaChannelId = null;
            await state.WriteStateAsync();
        }
    }

    /// <summary>
    /// The transfer did not go through: the human's leg out of the bridge and hung up, the caller back in the bridge with
    /// the agent (then its hold music off), the agent told. A caller that cannot be put back (it hung up meanwhile) is
    /// left to its own end event.
    /// </summary>
    private async Task ReturnCallerAsync(WarmTransferOutcome outcome, bool tellAfterThisRequest = false)
    {
        if (S.Transfer is not { } transfer)
        {
            return;
        }

        transfer.Phase = AriTransferPhase.Returning;
        StopTransferTimer();
        await state.WriteStateAsync();
        if (transfer.LegInBridge && !transfer.LegGone)
        {
            await TryAsync("remove transfer leg", async () =>
            {
                await ari.RemoveChannelsAsync(S.BridgeId!, [transfer.ChannelId]);
                return true;
            });
        }

        if (!transfer.LegGone)
        {
            await TryAsync("hangup transfer leg", () => ari.HangupAsync(transfer.ChannelId, 16));
        }

        if (S.CallerChannelId is { } caller && S.BridgeId is { } bridge)
        {
            try
            {
                if (transfer.CallerOutOfBridge || transfer.MediaOutOfBridge)
                {
                    IReadOnlyList<string> back = transfer.MediaOutOfBridge && S.MediaChannelId is { } media ? [caller, media] : [caller];
                    await ari.AddChannelsAsync(bridge, back);
                }

                await ari.StopMohAsync(caller);
            }
            catch (Exception exception) when (exception is AriException or HttpRequestException or TaskCanceledException)
            {
                AriWarmTransferLog.RequestFailed(logger, CallId, "return the caller", exception);
            }
        }

        S.Transfer = null;
        await state.WriteStateAsync();
        AriWarmTransferLog.Returned(logger, CallId, transfer.Destination, outcome.ToString());
        if (tellAfterThisRequest)
        {
            IGrainTimer? once = null;
            once = this.RegisterGrainTimer(
                async _ =>
                {
                    once?.Dispose();
                    await TellPartyAsync(transfer, "ended", party => party.WarmTransferEndedAsync(outcome));
                },
                new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { KeepAlive = true });
            return;
        }

        await TellPartyAsync(transfer, "ended", party => party.WarmTransferEndedAsync(outcome));
    }

    /// <summary>After an events drop: act on what happened to the transfer's legs meanwhile.</summary>
    private async Task ReconcileTransferAsync()
    {
        if (S.Phase == AriCallPhase.HandedOver)
        {
            if (S.PartnerChannelId is { } partner && await ari.GetChannelAsync(partner) is null)
            {
                await TransferLegEndedAsync(partner, 0);
            }

            return;
        }

        if (S.Transfer is not { } transfer)
        {
            return;
        }

        if (transfer.Phase is AriTransferPhase.Holding or AriTransferPhase.Accepting or AriTransferPhase.Returning)
        {
            // A reactivation in the middle of a step: put the caller back with the agent.
            await ReturnCallerAsync(WarmTransferOutcome.Failed);
            return;
        }

        var leg = await ari.GetChannelAsync(transfer.ChannelId);
        if (leg is null)
        {
            await TransferLegEndedAsync(transfer.ChannelId, 0);
        }
        else if (transfer.Phase == AriTransferPhase.Ringing && leg.State == "Up" && leg.Dialplan?.AppName == "Stasis")
        {
            await TransferLegAnsweredAsync(transfer.ChannelId);
        }
    }

    private void StartTransferTimer(string legId, DateTimeOffset deadline)
    {
        StopTransferTimer();
        var due = deadline - time.GetUtcNow();
        _transferTimer = this.RegisterGrainTimer(
            _ => TransferDeadlineAsync(legId),
            new GrainTimerCreationOptions(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    private void StopTransferTimer()
    {
        _transferTimer?.Dispose();
        _transferTimer = null;
    }

    /// <summary>The ring or accept timeout: the leg is hung up and the caller returned (nothing if the transfer moved on).</summary>
    private async Task TransferDeadlineAsync(string legId)
    {
        if (S.Transfer is not { } transfer || transfer.ChannelId != legId)
        {
            return;
        }

        var outcome = transfer.Phase switch
        {
            AriTransferPhase.Ringing => WarmTransferOutcome.NoAnswer,
            AriTransferPhase.Briefing => WarmTransferOutcome.TimedOut,
            _ => (WarmTransferOutcome?)null,
        };
        if (outcome is { } timedOut)
        {
            AriWarmTransferLog.TimedOut(logger, CallId, transfer.Destination, transfer.Phase.ToString());
            await ReturnCallerAsync(timedOut);
        }
    }

    private async Task TellPartyAsync(AriWarmTransfer transfer, string what, Func<ICallTransferParty, Task> tell)
    {
        try
        {
            await tell(GrainFactory.GetGrain<ICallTransferParty>(GrainId.Parse(transfer.PartyGrainId)));
        }
        catch (Exception exception)
        {
            AriWarmTransferLog.PartyCallFailed(logger, CallId, what, exception);
        }
    }

    private static bool IsDiallable(WarmTransferTarget target) =>
        !string.IsNullOrWhiteSpace(target.Destination)
        && target.Endpoint is { Length: > 2 } endpoint && endpoint.IndexOf('/', StringComparison.Ordinal) is > 0 and var slash && slash < endpoint.Length - 1
        && target.RingTimeoutSeconds > 0 && target.AcceptTimeoutSeconds > 0;

    /// <summary>The caller's own caller id, shown to the human (<c>"Name" &lt;number&gt;</c>); null when it has none.</summary>
    private static string? CallerIdOf(AriChannel? caller) => caller?.Caller is { Number.Length: > 0 } id
        ? (id.Name.Length > 0 ? $"\"{id.Name}\" <{id.Number}>" : id.Number)
        : null;
}
