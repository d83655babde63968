using AiAgent.Grains.Interfaces.Calls;
using Orleans.Streams;

namespace AiAgent.Grains.Tests.Parts;

/// <summary>Stands in for the call's agent-output stream: keeps what is published, or fails the events it is told to.</summary>
internal sealed class RecordingStream : IAsyncObserver<AgentStreamEvent>
{
    private readonly List<AgentStreamEvent> _events = [];

    /// <summary>Events whose publishing throws.</summary>
    public Func<AgentStreamEvent, bool> Fails { get; set; } = _ => false;

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

    public async Task OnNextAsync(AgentStreamEvent item, StreamSequenceToken? token = null)
    {
        if (Gate is { } gate)
        {
            await gate.Task;
        }

        if (Fails(item))
        {
            throw new InvalidOperationException("stream unavailable");
        }

        lock (_events)
        {
            _events.Add(item);
        }
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}
