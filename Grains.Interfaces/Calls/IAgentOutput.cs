namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>
/// The gateway's end of one call's agent output: an observer the gateway creates per call and hands to the grain in
/// <see cref="ICallGrain.AttachAsync"/>. A direct call to the gateway, not a stream: it needs no queue owned by a silo,
/// so a call restored on another silo reaches the same gateway at once (docs/Architecture.md, "Failover").
/// </summary>
public interface IAgentOutput : IGrainObserver
{
    /// <summary>
    /// One event. The grain sends them one at a time, in order, awaiting each. False: the gateway follows a newer
    /// activation of this call (a higher epoch): the sender has been replaced and must stop.
    /// </summary>
    [ResponseTimeout("00:00:02")]
    Task<bool> OnAgentEventAsync(AgentStreamEvent e);
}
