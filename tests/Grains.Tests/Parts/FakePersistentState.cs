namespace AiAgent.Grains.Tests.Parts;

/// <summary>An <see cref="IPersistentState{TState}"/> in memory that keeps a copy of every write and can hold or fail writes.</summary>
internal sealed class FakePersistentState<T>(T state, bool recordExists = false) : IPersistentState<T>
    where T : class
{
    private readonly List<T> _writes = [];

    public T State { get; set; } = state;

    public string? Etag { get; private set; }

    public bool RecordExists { get; private set; } = recordExists;

    /// <summary>Copies of the state at each write, in order (made by <see cref="Copy"/>).</summary>
    public IReadOnlyList<T> Writes => _writes;

    /// <summary>How each write copies the state (the state object is mutable and reused).</summary>
    public Func<T, T> Copy { get; set; } = s => s;

    /// <summary>While set, a write waits for it.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>When set, writes fail with it.</summary>
    public Exception? Failure { get; set; }

    /// <summary>Writes started but not finished.</summary>
    public int InFlight { get; private set; }

    public int MaxInFlight { get; private set; }

    public Task ClearStateAsync() => Task.CompletedTask;

    public Task ReadStateAsync() => Task.CompletedTask;

    public async Task WriteStateAsync()
    {
        InFlight++;
        MaxInFlight = Math.Max(MaxInFlight, InFlight);
        var copy = Copy(State);
        try
        {
            if (Gate is { } gate)
            {
                await gate.Task;
            }

            if (Failure is not null)
            {
                throw Failure;
            }

            _writes.Add(copy);
            RecordExists = true;
            Etag = _writes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            InFlight--;
        }
    }
}
