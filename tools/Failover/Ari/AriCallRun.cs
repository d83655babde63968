using AiAgent.CallSim.Reporting;
using AiAgent.Emulators.Ari;

namespace AiAgent.Failover.Ari;

/// <summary>
/// One ARI call of a run: placed into <c>Stasis</c> on the emulator after its ramp delay, talking in cycles until its
/// conversation is over (then the caller hangs up) or the platform hangs its channel up (a drop), or the run hangs up.
/// </summary>
internal sealed class AriCallRun(AriConversationCaller caller)
{
    /// <summary>The Stasis application the silos run (<c>asterisk.ari.app</c>).</summary>
    public const string App = "aiagent";

    /// <summary>The caller's conversation.</summary>
    public AriConversationCaller Caller => caller;

    /// <summary>The caller's channel, once placed.</summary>
    public AriEmulatorCall? Call { get; private set; }

    /// <summary>The platform's call id (the external media's <c>data</c>), once a leg has been seen.</summary>
    public Guid? CallId { get; private set; }

    /// <summary>Why the call ended before its plan (the platform hung up the caller; it could not be placed); null when the caller hung up.</summary>
    public string? EarlyEnd { get; private set; }

    /// <summary>Places the call after <paramref name="delay"/> and runs it to its end.</summary>
    public async Task RunAsync(AriEmulator ari, TimeSpan delay, CancellationToken hangUp)
    {
        try
        {
            await Task.Delay(delay, hangUp).ConfigureAwait(false);
            Call = await ari.PlaceCallAsync(App, ["failover"], new AriCallOptions { Caller = caller, CallerFormat = "slin16" }).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            EarlyEnd = "never placed: the run was stopped";
            return;
        }
        catch (InvalidOperationException ex)
        {
            EarlyEnd = $"could not be placed: {ex.Message}";
            return;
        }

        var call = Call!;
        await ari.WaitUntilAsync(
            () => caller.HangUpWanted.IsCompleted || call.IsGone || hangUp.IsCancellationRequested,
            TimeSpan.FromDays(1),
            "the conversation over, or the caller's channel gone").ConfigureAwait(false);
        if (call.IsGone && !caller.HangUpWanted.IsCompleted)
        {
            EarlyEnd = "the platform hung up the caller's channel";
            return;
        }

        await call.HangUpAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// The external-media legs bridged with the caller now (<see cref="AriEmulatorChannelInfo"/>), noting the call id
    /// they carry; empty before the call was placed or while no leg is bridged.
    /// </summary>
    public IReadOnlyList<AriEmulatorChannelInfo> MediaLegs(IReadOnlyList<AriEmulatorChannelInfo> channels)
    {
        if (Call?.BridgeId is not { } bridge)
        {
            return [];
        }

        var legs = channels.Where(c => c.BridgeId == bridge && c.ExternalMediaData is not null).ToList();
        CallId ??= legs.FirstOrDefault()?.ExternalMediaData;
        return legs;
    }

    /// <summary>The caller's bridge at the event.</summary>
    public string? BridgeAtEvent { get; private set; }

    /// <summary>Whether the caller was still in <see cref="BridgeAtEvent"/> when the calls were asked to end, never having left a bridge.</summary>
    public bool? StayedInBridge { get; private set; }

    /// <summary>Notes the caller's bridge at the event.</summary>
    public void NoteBridgeAtEvent() => BridgeAtEvent = Call?.BridgeId;

    /// <summary>Before the calls end: is the caller still in the bridge it had at the event, never having left one?</summary>
    public void CheckBridge(IReadOnlyList<AriEmulatorEvent> events)
    {
        if (Call is not { } call || BridgeAtEvent is null)
        {
            return;
        }

        StayedInBridge = call.BridgeId == BridgeAtEvent && !events.Any(e => e.ChannelId == call.ChannelId && e.Type == "ChannelLeftBridge");
    }

    /// <summary>What the caller heard.</summary>
    public ConversationSummary Summarize() => caller.Summarize(EarlyEnd);
}
