using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.Logging;

namespace AiAgent.Gateway.AudioSocket;

/// <summary>
/// Watches that the activation carrying a call still answers: caller audio is one-way and reports nothing, so every
/// <c>audiosocket.liveness_ms</c> a ping (not one-way, with a short timeout) asks it. A failed, late or negative answer
/// means its silo is gone (or the activation is a fresh one that does not carry the call): the connection restores the
/// call at the next epoch. Detection takes at most one period plus the ping's timeout. <see cref="CallLiveness.Moved"/>
/// means another connection carries the call now (the dialplan connected again elsewhere): this one lets go.
/// <see cref="CallLiveness.Ended"/> means the activation ended the call (its end event may still be on the way, and an
/// ended call must never be restored): the watch stops.
/// </summary>
internal sealed partial class ActivationWatch(CallAttachment attachment, TimeSpan period, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// Pings until <paramref name="cancellationToken"/> fires; calls <paramref name="onLost"/> (awaited) with the lost
    /// epoch, or <paramref name="onMoved"/> or <paramref name="onEnded"/> once and stops.
    /// </summary>
    public async Task RunAsync(Func<int, Task> onLost, Action onMoved, Action onEnded, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(period, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                if (attachment.Grain is not { } grain)
                {
                    continue;
                }

                var epoch = attachment.Epoch;
                CallLiveness liveness;
                try
                {
                    liveness = await grain.PingAsync(attachment.Attachment).WaitAsync(cancellationToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    LogPingFailed(epoch, ex.GetType().Name, ex.Message);
                    liveness = CallLiveness.NotCarried;
                }

                if (cancellationToken.IsCancellationRequested)
                {
                    break;
                }

                if (liveness == CallLiveness.Moved)
                {
                    LogMoved(epoch);
                    onMoved();
                    return;
                }

                if (liveness == CallLiveness.Ended)
                {
                    LogEnded(epoch);
                    onEnded();
                    return;
                }

                if (liveness == CallLiveness.NotCarried)
                {
                    await onLost(epoch);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 2365, Level = LogLevel.Information, Message = "The call at epoch {Epoch} goes on through another connection; this one lets go")]
    private partial void LogMoved(int epoch);

    [LoggerMessage(EventId = 2366, Level = LogLevel.Debug, Message = "The call's activation at epoch {Epoch} has ended the call; waiting for its end event")]
    private partial void LogEnded(int epoch);

    [LoggerMessage(EventId = 2362, Level = LogLevel.Warning, Message = "The call's activation at epoch {Epoch} did not answer its liveness ping ({Error}: {Detail})")]
    private partial void LogPingFailed(int epoch, string error, string detail);
}
