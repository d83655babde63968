using AiAgent.Grains.Configuration;
using AiAgent.Grains.Providers;
using Microsoft.Extensions.Options;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Applies <see cref="BargeInPolicy"/> when the caller starts speaking. An accepted barge-in flushes what is playing
/// (the played milliseconds come back in the gateway's Flushed report and reach the provider then) and cancels the
/// answer in progress at once, even one whose audio has not arrived or started playing yet.
/// </summary>
internal sealed class BargeInHandler(
    PlayoutTracker playout,
    AgentAudioPath agentAudio,
    IAgentSession session,
    IOptionsMonitor<AgentOptions> options,
    CallContext call)
{
    /// <summary>Barge-ins that stopped the agent (flushed audio or cancelled an answer).</summary>
    public long BargeIns { get; private set; }

    /// <summary>The caller started speaking at <paramref name="atUtc"/> (the provider's voice activity detection).</summary>
    public async Task OnCallerSpeechStartedAsync(DateTime atUtc, CancellationToken cancellationToken)
    {
        var decision = BargeInPolicy.Decide(options.CurrentValue.BargeIn, playout.State, atUtc);
        switch (decision.Action)
        {
            case BargeInAction.CancelAnswer:
                if (await CancelAnswerAsync(cancellationToken))
                {
                    BargeIns++;
                    call.Metrics.BargeIn(call.Provider, null);
                    CallLog.BargeInBeforePlayout(call.Logger, call.CallId);
                }

                break;
            case BargeInAction.Suppress:
                call.Metrics.BargeIn(call.Provider, decision.SuppressedBy);
                CallLog.BargeInSuppressed(call.Logger, call.CallId, decision.UtteranceId!.Value, decision.SuppressedBy!);
                break;
            case BargeInAction.Flush when playout.TryGet(decision.UtteranceId!.Value, out var playing):
                call.Metrics.BargeIn(call.Provider, null);
                PlayoutTracker.Interrupt(playing);
                BargeIns++;
                CallLog.BargeIn(call.Logger, call.CallId, playing.Id);
                agentAudio.Flush(playing.Id);
                await CancelAnswerAsync(cancellationToken);
                break;
        }
    }

    /// <summary>Asks the provider to stop the answer in progress; false when there was none (or the call failed).</summary>
    private async Task<bool> CancelAnswerAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await session.CancelResponseAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            CallLog.ProviderCallFailed(call.Logger, ex, call.CallId, "cancel response");
            return false;
        }
    }
}
