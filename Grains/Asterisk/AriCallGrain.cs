using AiAgent.Grains.Asterisk.Ari;
using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Asterisk;
using AiAgent.Grains.Providers.Transport;
using AiAgent.Grains.Tools;
using Polly;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Asterisk;

/// <summary>
/// One caller in ARI mode (see <see cref="IAriCallGrain"/>): answer, subscribe, bridge, external media; then the call
/// is the ordinary CallGrain path (the gateway receives the AudioSocket connection with this grain's key as its UUID).
/// A media leg that ends while the call is live (its gateway drained or died: disposition <c>reconnect</c>) is replaced
/// by a new one to another gateway in the same bridge; the caller never leaves it.
/// State is persisted after every step, so a reactivation (or a new lease holder) picks the call up where it was.
/// Nothing throws out: a failed request is logged and the call cleaned up.
/// </summary>
public sealed partial class AriCallGrain(
    [PersistentState(AriCallGrain.StateName, CallStorage.Name)] IPersistentState<AriCallState> state,
    IAriClient ari,
    IOptionsMonitor<AsteriskModeOptions> options,
    IOptionsMonitor<TransferOptions> transfers,
    TimeProvider time,
    ILogger<AriCallGrain> logger) : Grain, IAriCallGrain
{
    /// <summary>The state name in <see cref="CallStorage.Name"/>.</summary>
    public const string StateName = "ariCall";

    /// <summary>Media-leg attempts (external media + addChannel) at the start and per re-dial, with backoff between.</summary>
    public const int MaxMediaAttempts = 3;

    /// <summary>A media leg up this long has worked: the re-dial budget starts over when it ends.</summary>
    public static readonly TimeSpan StableMediaLeg = TimeSpan.FromSeconds(10);

    private AriCallState S => state.State;

    private Guid CallId => this.GetPrimaryKey();

    /// <inheritdoc/>
    public async Task StartAsync(string callerChannelId)
    {
        if (S.Phase is AriCallPhase.Connected or AriCallPhase.Reconnecting or AriCallPhase.HandedOver or AriCallPhase.Ending or AriCallPhase.Ended)
        {
            return; // a repeated StasisStart, or a second lease holder's: nothing to do
        }

        var ariOptions = options.CurrentValue.Ari;
        try
        {
            if (S.Phase == AriCallPhase.New)
            {
                S.CallerChannelId = callerChannelId;
                S.Phase = AriCallPhase.Starting;
                await state.WriteStateAsync();
                AriModeLog.CallStarting(logger, CallId, callerChannelId);
            }

            if (!S.Answered)
            {
                await ari.AnswerAsync(callerChannelId);
                S.Answered = true;
                await state.WriteStateAsync();
            }

            if (!S.Subscribed)
            {
                // Without it the caller's ChannelDestroyed never reaches the application after StasisEnd.
                await ari.SubscribeAsync(ariOptions.App, "channel:" + callerChannelId);
                S.Subscribed = true;
                await state.WriteStateAsync();
            }

            if (S.BridgeId is null)
            {
                S.BridgeId = (await ari.CreateBridgeAsync("mixing")).Id;
                await state.WriteStateAsync();
            }

            if (S.MediaChannelId is null)
            {
                var (outcome, _) = await DialMediaLegAsync(GatewayRotation.Plan(ariOptions.ExternalHosts(), CallId, null, MaxMediaAttempts), withCaller: true, redial: false);
                if (outcome != DialOutcome.Bridged)
                {
                    await CleanUpAsync(hangUpCaller: true, "error");
                    return;
                }
            }
            else
            {
                await ari.AddChannelsAsync(S.BridgeId, [callerChannelId, S.MediaChannelId]);
            }

            S.Phase = AriCallPhase.Connected;
            S.MediaBridgedAt = time.GetUtcNow();
            S.MediaLegs++;
            await state.WriteStateAsync();
            AriModeLog.CallBridged(logger, CallId, S.BridgeId, S.MediaChannelId!);
        }
        catch (Exception exception) when (exception is AriException or HttpRequestException or TaskCanceledException)
        {
            AriModeLog.CallStartFailed(logger, CallId, exception);
            await CleanUpAsync(hangUpCaller: true, "error");
        }
    }

    /// <inheritdoc/>
    public async Task CallerEndedAsync(string callerChannelId)
    {
        if (S.Phase is AriCallPhase.Ending or AriCallPhase.Ended || S.CallerChannelId != callerChannelId)
        {
            return; // our own DELETE / continue echoing back, or a channel this call does not own
        }

        AriModeLog.CallerEnded(logger, CallId);
        await CleanUpAsync(hangUpCaller: false, "caller-hangup");
    }

    /// <inheritdoc/>
    public async Task MediaLegEndedAsync(string mediaChannelId)
    {
        if (S.Phase is AriCallPhase.Ending or AriCallPhase.Ended or AriCallPhase.New || S.MediaChannelId != mediaChannelId)
        {
            return; // a leg we replaced or deleted ourselves, or the second event (StasisEnd, then ChannelDestroyed) of one
        }

        var endedAt = time.GetTimestamp();
        var endedHost = S.MediaHost;
        var wasUp = S.MediaBridgedAt is { } bridgedAt && time.GetUtcNow() - bridgedAt >= StableMediaLeg;
        S.MediaChannelId = null; // it is gone already: nothing to delete
        S.MediaHost = null;
        S.MediaBridgedAt = null;
        var action = await ReadEndActionAsync();
        AriModeLog.MediaLegEnded(logger, CallId, action.ToString());
        if (action.Kind == "reconnect" && (S.Phase is AriCallPhase.Connected or AriCallPhase.Reconnecting) && S.BridgeId is not null)
        {
            if (wasUp)
            {
                S.RedialAttempts = 0;
            }

            await RedialAsync(endedHost, endedAt);
            return;
        }

        await EndWithAsync(action);
    }

    /// <inheritdoc/>
    public async Task DtmfAsync(string callerChannelId, char digit)
    {
        // On hold during a warm transfer the caller's keys reach nobody: the agent is busy with the human.
        if (S.Phase == AriCallPhase.Connected && S.Transfer is null && S.CallerChannelId == callerChannelId)
        {
            if (await GrainFactory.FindCallGrainAsync(CallId) is { } call)
            {
                await call.SendDtmfAsync(digit);
            }
        }
    }

    /// <inheritdoc/>
    public async Task ReconcileAsync()
    {
        if (S.Phase is AriCallPhase.New or AriCallPhase.Ended)
        {
            return;
        }

        try
        {
            var callerAlive = S.CallerChannelId is { } caller && await ari.GetChannelAsync(caller) is not null;
            var mediaAlive = S.MediaChannelId is { } media && await ari.GetChannelAsync(media) is not null;
            if (!callerAlive)
            {
                AriModeLog.ReconcileCleanup(logger, CallId, "caller");
                await CleanUpAsync(hangUpCaller: false, "caller-hangup");
            }
            else if (S.Phase == AriCallPhase.Connected && !mediaAlive && S.MediaChannelId is { } gone)
            {
                AriModeLog.ReconcileCleanup(logger, CallId, "media");
                await MediaLegEndedAsync(gone);
            }
            else if (S.Phase == AriCallPhase.Reconnecting && mediaAlive && S.MediaChannelId is { } dialled)
            {
                // A reactivation between the new leg's creation and its addChannel: finish that step.
                await ari.AddChannelsAsync(S.BridgeId!, [dialled]);
                await BridgedAsync(dialled, S.MediaHost ?? "?", attempts: 1, endedAt: time.GetTimestamp());
            }
            else if (S.Phase == AriCallPhase.Reconnecting)
            {
                S.MediaChannelId = null;
                await RedialAsync(S.FailedHost, time.GetTimestamp());
            }
            else if (S.Phase == AriCallPhase.Ending)
            {
                await CleanUpAsync(hangUpCaller: true, S.Outcome ?? "error");
            }

            if (callerAlive && (S.Phase == AriCallPhase.HandedOver || S.Transfer is not null))
            {
                await ReconcileTransferAsync();
            }
        }
        catch (Exception exception) when (exception is AriException or HttpRequestException or TaskCanceledException)
        {
            AriModeLog.CleanupRequestFailed(logger, CallId, "reconcile", exception);
        }
    }

    /// <summary>
    /// The call is live but its media leg is gone: dial new ones into the same bridge (the caller stays in it, hearing
    /// silence) until one is bridged, the budget is spent (hang up), or the call ends meanwhile (act on that).
    /// </summary>
    private async Task RedialAsync(string? failedHost, long endedAt)
    {
        S.Phase = AriCallPhase.Reconnecting;
        S.FailedHost = failedHost;
        await state.WriteStateAsync();
        var remaining = MaxMediaAttempts - S.RedialAttempts;
        if (remaining <= 0)
        {
            AriModeLog.RedialGaveUp(logger, CallId, S.RedialAttempts);
            await GiveUpAsync();
            return;
        }

        AriModeLog.Redialling(logger, CallId, failedHost, S.BridgeId);
        var plan = GatewayRotation.Plan(options.CurrentValue.Ari.ExternalHosts(), CallId, failedHost, remaining);
        var (outcome, overtaken) = await DialMediaLegAsync(plan, withCaller: false, redial: true);
        switch (outcome)
        {
            case DialOutcome.Bridged:
                await BridgedAsync(S.MediaChannelId!, S.MediaHost!, S.RedialAttempts, endedAt);
                break;
            case DialOutcome.Overtaken:
                AriModeLog.RedialOvertaken(logger, CallId, overtaken!.ToString());
                await EndWithAsync(overtaken);
                break;
            default:
                AriModeLog.RedialGaveUp(logger, CallId, S.RedialAttempts);
                await GiveUpAsync();
                break;
        }
    }

    private async Task BridgedAsync(string mediaChannelId, string host, int attempts, long endedAt)
    {
        S.Phase = AriCallPhase.Connected;
        S.FailedHost = null;
        S.MediaBridgedAt = time.GetUtcNow();
        S.MediaLegs++;
        await state.WriteStateAsync();
        AriModeLog.Rebridged(logger, CallId, mediaChannelId, host, S.BridgeId!, attempts, (long)time.GetElapsedTime(endedAt).TotalMilliseconds);
    }

    /// <summary>No gateway took the call: end it on the platform too (it would otherwise wait for a gateway), then hang up.</summary>
    private async Task GiveUpAsync()
    {
        try
        {
            if (await GrainFactory.FindCallGrainAsync(CallId) is { } call)
            {
                await call.HangupAsync(CallEndReason.GatewayLost);
            }
        }
        catch (Exception exception)
        {
            AriModeLog.CleanupRequestFailed(logger, CallId, "end call", exception);
        }

        await CleanUpAsync(hangUpCaller: true, "reconnect-failed");
    }

    /// <summary>
    /// Up to <paramref name="plan"/>.Count attempts, one gateway address each, with the provider transports' backoff
    /// between them: create the external media (the call id as <c>data</c>), persist its id, add it to the bridge (with
    /// the caller on the first leg). A failed attempt deletes what it created. A re-dial first re-reads the disposition
    /// before every retry, so a call that ended meanwhile is not given a leg it no longer wants.
    /// </summary>
    private async Task<(DialOutcome Outcome, AriEndAction? Overtaken)> DialMediaLegAsync(IReadOnlyList<string> plan, bool withCaller, bool redial)
    {
        var ariOptions = options.CurrentValue.Ari;
        var attempt = 0;
        AriEndAction? overtaken = null;
        var pipeline = ReconnectBackoff.Create<DialOutcome>(plan.Count - 1, outcome => outcome == DialOutcome.Failed, time, null);
        // Every attempt touches grain state: Polly must resume on the activation's scheduler, not the thread pool.
        var context = ResilienceContextPool.Shared.Get(continueOnCapturedContext: true);
        try
        {
            var outcome = await pipeline.ExecuteAsync(async (_, _) => await AttemptAsync(), context, state: 0);
            return (outcome, overtaken);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }

        async Task<DialOutcome> AttemptAsync()
        {
            var host = plan[attempt++];
            if (redial)
            {
                S.RedialAttempts++;
                if (attempt > 1 && await ReadEndActionAsync() is { Kind: not "reconnect" } action)
                {
                    overtaken = action;
                    return DialOutcome.Overtaken;
                }
            }

            try
            {
                var media = await ari.CreateExternalMediaAsync(ariOptions.App, host, ariOptions.Format, CallId);
                S.MediaChannelId = media.Id;
                S.MediaHost = host;
                await state.WriteStateAsync();
                await ari.AddChannelsAsync(S.BridgeId!, withCaller ? [S.CallerChannelId!, media.Id] : [media.Id]);
                return DialOutcome.Bridged;
            }
            catch (Exception exception) when (exception is AriException or HttpRequestException or TaskCanceledException)
            {
                AriModeLog.MediaAttemptFailed(logger, CallId, attempt, host, exception);
                if (S.MediaChannelId is { } half)
                {
                    await TryAsync("hangup media leg", () => ari.HangupAsync(half, 16));
                    S.MediaChannelId = null;
                    S.MediaHost = null;
                }

                await state.WriteStateAsync();
                return DialOutcome.Failed;
            }
        }
    }

    /// <summary>Acts on how the call ended: <c>transfer</c> continues the caller into the dialplan, anything else hangs it up.</summary>
    private async Task EndWithAsync(AriEndAction action)
    {
        if (action.Kind == "transfer" && S.CallerChannelId is { } caller)
        {
            await EndingAsync();
            try
            {
                // Blind transfer into the dialplan is continue, not redirect (docs/protocols/asterisk.md): to the
                // destination's own context/extension/priority when configured, else transfer_context at extension <name>.
                var target = transfers.CurrentValue.Find(action.Destination);
                await ari.ContinueAsync(caller, target?.Context ?? options.CurrentValue.Ari.TransferContext, target?.Extension ?? action.Destination, target?.Priority ?? 1);
                await CleanUpAsync(hangUpCaller: false, action.ToString());
                return;
            }
            catch (AriException exception)
            {
                AriModeLog.CleanupRequestFailed(logger, CallId, "continue", exception);
            }
        }

        await CleanUpAsync(hangUpCaller: true, action.ToString());
    }

    private async Task<AriEndAction> ReadEndActionAsync()
    {
        try
        {
            return await AriDispositionReader.ReadAsync(GrainFactory, CallId);
        }
        catch (Exception exception)
        {
            AriModeLog.CleanupRequestFailed(logger, CallId, "disposition", exception);
            return AriEndAction.Error;
        }
    }

    private async Task EndingAsync()
    {
        S.Phase = AriCallPhase.Ending;
        await state.WriteStateAsync();
    }

    /// <summary>Deletes what is left (404 means already gone); every step is tried even when one fails.</summary>
    private async Task CleanUpAsync(bool hangUpCaller, string outcome)
    {
        S.Outcome ??= outcome;
        await EndingAsync();
        StopTransferTimer();
        if (S.MediaChannelId is { } media)
        {
            await TryAsync("hangup media leg", () => ari.HangupAsync(media, 16));
            S.MediaChannelId = null;
        }

        // A warm transfer's legs: the human still ringing or being briefed, the human bridged with the caller, the
        // agent's leg taken out of the bridge at the hand-over.
        foreach (var leg in new[] { S.Transfer is { LegGone: false } transfer ? transfer.ChannelId : null, S.PartnerChannelId, S.RetiredMediaChannelId })
        {
            if (leg is not null)
            {
                await TryAsync("hangup transfer leg", () => ari.HangupAsync(leg, 16));
            }
        }

        S.Transfer = null;
        S.PartnerChannelId = null;
        S.RetiredMediaChannelId = null;

        if (hangUpCaller && S.CallerChannelId is { } caller)
        {
            await TryAsync("hangup caller", () => ari.HangupAsync(caller, 16));
        }

        if (S.BridgeId is { } bridge)
        {
            await TryAsync("destroy bridge", () => ari.DestroyBridgeAsync(bridge));
            S.BridgeId = null;
        }

        S.Phase = AriCallPhase.Ended;
        await state.WriteStateAsync();
        AriModeLog.CallCleanedUp(logger, CallId, S.Outcome);
    }

    private async Task TryAsync(string what, Func<Task<bool>> request)
    {
        try
        {
            await request();
        }
        catch (Exception exception) when (exception is AriException or HttpRequestException or TaskCanceledException)
        {
            AriModeLog.CleanupRequestFailed(logger, CallId, what, exception);
        }
    }

    private enum DialOutcome
    {
        Failed,
        Bridged,
        Overtaken,
    }
}
