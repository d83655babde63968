using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Logging;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// Which activation of the call this connection follows, and how it gets one: on connect it finds the call's record
/// (a new call starts at epoch 1; a live one is re-attached, the dialplan having connected again), and when the
/// activation is lost or hands over it restores the call at the next epoch, on a live silo. One attach at a time.
/// </summary>
/// <remarks>
/// Epoch rules (docs/Architecture.md, "Failover"): an activation answers <see cref="CallAttachOutcome.Superseded"/>
/// with the epoch its record names; if that is newer, attach there, else the epoch itself was lost and the call is
/// restored one above it. An attach that fails or does not answer in time means that activation's silo is gone.
/// </remarks>
internal sealed partial class CallAttachment(IGrainFactory grains, Guid callId, IAgentOutput output, TimeProvider time, ILogger logger)
{
    /// <summary>How long an attach to an activation that should be live may take (a lost silo does not answer).</summary>
    private static readonly TimeSpan ReattachTimeout = TimeSpan.FromSeconds(2);

    /// <summary>How long a start or a restore may take (the provider session opens within it).</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    private const int MaxAttempts = 6;

    private readonly SemaphoreSlim _attaching = new(1, 1);
    private CallStartRequest? _start;

    /// <summary>The activation followed now; null before the first attach.</summary>
    public ICallGrain? Grain { get; private set; }

    /// <summary>Its epoch (0 before the first attach).</summary>
    public int Epoch { get; private set; }

    /// <summary>This connection's attachment to that activation (stamped on caller audio, hang-up and pings).</summary>
    public int Attachment { get; private set; }

    /// <summary>Connects a new AudioSocket connection to its call: start, re-attach, or restore when the carrier is gone.</summary>
    public async Task<CallAttached> ConnectAsync(CallStartRequest start, CancellationToken cancellationToken)
    {
        await _attaching.WaitAsync(cancellationToken);
        try
        {
            _start = start;
            var location = await grains.GetCallLocator().LocateAsync(callId).WaitAsync(StartTimeout, time, cancellationToken);
            if (location is null)
            {
                return await AttachFromAsync(CallGrainKeys.FirstEpoch, start, CallAttachReason.Connect, cancellationToken);
            }

            if (location.State == CallState.Ended)
            {
                return new CallAttached(CallAttachOutcome.Ended, location.Epoch, null, default);
            }

            return await AttachFromAsync(location.Epoch, start, CallAttachReason.Connect, cancellationToken);
        }
        finally
        {
            _attaching.Release();
        }
    }

    /// <summary>
    /// The followed activation is lost (<paramref name="reason"/> <see cref="CallAttachReason.SiloLost"/>) or hands
    /// over to <paramref name="nextEpoch"/>: restores the call at the next epoch, as <see cref="ConnectAsync"/> started it.
    /// Does nothing when another attach has already moved past <paramref name="lostEpoch"/>, or none was made yet.
    /// </summary>
    public async Task<CallAttached?> RestoreAsync(int lostEpoch, int nextEpoch, CallAttachReason reason, CancellationToken cancellationToken)
    {
        await _attaching.WaitAsync(cancellationToken);
        try
        {
            if (Epoch > lostEpoch || _start is not { } start)
            {
                return null;
            }

            LogRestoring(callId, lostEpoch, reason);
            return await AttachFromAsync(Math.Max(nextEpoch, lostEpoch + 1), start, reason, cancellationToken);
        }
        finally
        {
            _attaching.Release();
        }
    }

    private async Task<CallAttached> AttachFromAsync(int epoch, CallStartRequest start, CallAttachReason reason, CancellationToken cancellationToken)
    {
        Exception? lastError = null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var grain = grains.GetCallGrain(callId, epoch);
            CallAttached attached;
            try
            {
                // First a probe with a short timeout: a request through a silo that is going away (a rolling restart)
                // can vanish without an answer, and the attach below may take seconds to open a provider session.
                // The probe also places the activation, so the attach finds it where the probe reached it.
                await grain.PingAsync(0).WaitAsync(ReattachTimeout, time, cancellationToken);

                // Attaching where the call should be live: a lost silo shows as no answer; a start or restore opens a session.
                var timeout = reason == CallAttachReason.Connect && epoch > CallGrainKeys.FirstEpoch ? ReattachTimeout : StartTimeout;
                attached = await grain.AttachAsync(new CallAttachRequest(start, output, reason)).WaitAsync(timeout, time, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                if (ex is InvalidOperationException or ArgumentException)
                {
                    throw; // the call itself refused (a provider that cannot start, a bad format): not a lost silo
                }

                lastError = ex;
                LogAttachFailed(callId, epoch, ex.GetType().Name, ex.Message);
                epoch++;
                reason = reason == CallAttachReason.Connect ? CallAttachReason.SiloLost : reason;
                continue;
            }

            switch (attached.Outcome)
            {
                case CallAttachOutcome.Superseded when attached.Epoch > epoch:
                    epoch = attached.Epoch;
                    continue;
                case CallAttachOutcome.Superseded:
                    // This epoch carried the call once and its activation is gone: restore above it.
                    epoch = Math.Max(epoch, attached.Epoch) + 1;
                    reason = reason == CallAttachReason.Connect ? CallAttachReason.SiloLost : reason;
                    continue;
                case CallAttachOutcome.Ended:
                    return attached;
            }

            Grain = grain;
            Epoch = attached.Epoch;
            Attachment = attached.Attachment;
            return attached;
        }

        throw new InvalidOperationException($"call {callId}: no activation could be attached in {MaxAttempts} attempts", lastError);
    }

    [LoggerMessage(EventId = 2360, Level = LogLevel.Warning, Message = "Call {CallId}: epoch {Epoch} is gone ({Reason}); restoring the call on a live silo")]
    private partial void LogRestoring(Guid callId, int epoch, CallAttachReason reason);

    [LoggerMessage(EventId = 2361, Level = LogLevel.Warning, Message = "Call {CallId}: attach at epoch {Epoch} failed ({Error}: {Detail}); trying the next epoch")]
    private partial void LogAttachFailed(Guid callId, int epoch, string error, string detail);
}
