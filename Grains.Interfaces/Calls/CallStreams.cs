using Orleans.Runtime;

namespace AiAgent.Grains.Interfaces.Calls;

/// <summary>Names shared by the publisher (the call grain) and the subscriber (the gateway).</summary>
public static class CallStreams
{
    /// <summary>The Orleans stream provider carrying agent audio.</summary>
    public const string ProviderName = "calls";

    /// <summary>The stream namespace of agent output; the stream key is the call id.</summary>
    public const string AgentOutputNamespace = "agent-out";

    /// <summary>The grain storage name Orleans uses for explicit stream subscriptions.</summary>
    public const string PubSubStore = "PubSubStore";

    /// <summary>The stream id of a call's agent output.</summary>
    public static StreamId AgentOutput(Guid callId) => StreamId.Create(AgentOutputNamespace, callId);
}
