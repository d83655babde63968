using AiAgent.Grains.Interfaces.Asterisk;

namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>
/// The call's side of an ARI-mode warm transfer, which <see cref="IAriCallGrain"/> drives: implemented by the call
/// grain beside <see cref="ICallGrain"/>, and handed to the ARI call as a reference to that very activation.
/// </summary>
public interface ICallTransferParty : IGrainWithGuidCompoundKey
{
    /// <summary>
    /// The human answered and now hears the agent (the caller is on hold music). The agent is asked to brief them and
    /// to ask them to press 1 to take the call or 2 to decline.
    /// </summary>
    Task WarmTransferAnsweredAsync();

    /// <summary>
    /// The warm transfer is over: <see cref="WarmTransferOutcome.Accepted"/> ends the call with <c>transfer:&lt;name&gt;</c>
    /// (caller and human are bridged; the agent leaves); any other outcome returns the caller to the agent, which is told
    /// what happened so it can say so.
    /// </summary>
    Task WarmTransferEndedAsync(WarmTransferOutcome outcome);
}
