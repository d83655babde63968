using AiAgent.Grains.Asterisk.Ari;
using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Asterisk;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Asterisk;

/// <summary>
/// One caller in ARI mode (see <see cref="IAriCallGrain"/>): answer, subscribe, bridge, external media; then the call
/// is the ordinary CallGrain path (the gateway receives the AudioSocket connection with this grain's key as its UUID).
/// State is persisted after every step, so a reactivation (or a new lease holder) picks the call up where it was.
/// Nothing throws out: a failed request is logged and the call cleaned up.
/// </summary>
public sealed class AriCallGrain(
    [PersistentState(AriCallGrain.StateName, CallStorage.Name)] IPersistentState<AriCallState> state,
    IAriClient ari,
    IOptionsMonitor<AsteriskModeOptions> options,
    ILogger<AriCallGrain> logger) : Grain, IAriCallGrain
{
    /// <summary>The state name in <see cref="CallStorage.Name"/>.</summary>
    public const string StateName = "ariCall";

    private AriCallState S => state.State;

    private Guid CallId => this.GetPrimaryKey();

    /// <inheritdoc/>
    public async Task StartAsync(string callerChannelId)
    {
        if (S.Phase is AriCallPhase.Connected or AriCallPhase.Ending or AriCallPhase.Ended)
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
                S.MediaChannelId = (await ari.CreateExternalMediaAsync(ariOptions.App, ariOptions.ExternalHost, ariOptions.Format, CallId)).Id;
                await state.WriteStateAsync();
            }

            await ari.AddChannelsAsync(S.BridgeId, [callerChannelId, S.MediaChannelId]);
            S.Phase = AriCallPhase.Connected;
            await state.WriteStateAsync();
            AriModeLog.CallBridged(logger, CallId, S.BridgeId, S.MediaChannelId);
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
            return;
        }

        S.MediaChannelId = null; // it is gone already: nothing to delete
        var action = await ReadEndActionAsync();
        AriModeLog.MediaLegEnded(logger, CallId, action.Kind);
        if (action.Kind == "transfer" && S.CallerChannelId is { } caller)
        {
            await EndingAsync();
            try
            {
                // Blind transfer into the dialplan is continue, not redirect (docs/protocols/asterisk.md).
                await ari.ContinueAsync(caller, options.CurrentValue.Ari.TransferContext, action.Destination, 1);
                await CleanUpAsync(hangUpCaller: false, action.ToString());
                return;
            }
            catch (AriException exception)
            {
                AriModeLog.CleanupRequestFailed(logger, CallId, "continue", exception);
            }
        }

        // hangup, error, and for now reconnect: issue 11 adds a new media leg into the same bridge instead.
        await CleanUpAsync(hangUpCaller: true, action.ToString());
    }

    /// <inheritdoc/>
    public async Task DtmfAsync(string callerChannelId, char digit)
    {
        if (S.Phase == AriCallPhase.Connected && S.CallerChannelId == callerChannelId)
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
            else if (S.Phase == AriCallPhase.Ending)
            {
                await CleanUpAsync(hangUpCaller: true, S.Outcome ?? "error");
            }
        }
        catch (Exception exception) when (exception is AriException or HttpRequestException or TaskCanceledException)
        {
            AriModeLog.CleanupRequestFailed(logger, CallId, "reconcile", exception);
        }
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
        if (S.MediaChannelId is { } media)
        {
            await TryAsync("hangup media leg", () => ari.HangupAsync(media, 16));
            S.MediaChannelId = null;
        }

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
}
