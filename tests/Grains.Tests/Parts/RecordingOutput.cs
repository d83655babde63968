using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Tests.Parts;

/// <summary>Stands in for the gateway's agent output: keeps what is sent, fails the events it is told to, or refuses them as a newer epoch's gateway would.</summary>
internal sealed class RecordingOutput : IAgentOutput
{
    private readonly List<AgentStreamEvent> _events = [];

    /// <summary>Events whose publishing throws.</summary>
    public Func<AgentStreamEvent, bool> Fails { get; set; } = _ => false;

    /// <summary>How many attempts were made per sequence number, failed ones included.</summary>
    public Dictionary<long, int> Attempts { get; } = [];

    /// <summary>While set, publishing waits for it (to hold events in the publisher's queue).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public IReadOnlyList<AgentStreamEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    /// <summary>When true, events are refused (the gateway follows a newer activation).</summary>
    public bool Refuse { get; set; }

    public async Task<bool> OnAgentEventAsync(AgentStreamEvent item)
    {
        if (Gate is { } gate)
        {
            await gate.Task;
        }

        lock (_events)
        {
            Attempts[item.Sequence] = Attempts.GetValueOrDefault(item.Sequence) + 1;
        }

        if (Fails(item))
        {
            throw new InvalidOperationException("stream unavailable");
        }

        if (Refuse)
        {
            return false;
        }

        lock (_events)
        {
            _events.Add(item);
        }

        return true;
    }
}
