namespace AiAgent.Tests.Support;

/// <summary>Waits for tests that run real sockets and clusters on a loaded 2-core CI machine.</summary>
public static class Waits
{
    /// <summary>The longest a test waits for something that should happen in well under a second.</summary>
    public static readonly TimeSpan Long = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds, for state that one-way calls or background loops make true
    /// eventually and that raises no event to await. Throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.
    /// </summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan? timeout = null, string? what = null) =>
        UntilAsync(() => Task.FromResult(condition()), timeout, what);

    /// <summary>Polls an asynchronous <paramref name="condition"/> (a grain call, a read) the same way.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null, string? what = null)
    {
        var limit = timeout ?? Long;
        using var cancellation = new CancellationTokenSource(limit);
        try
        {
            while (!await condition().WaitAsync(cancellation.Token))
            {
                await Task.Delay(20, cancellation.Token);
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            throw new TimeoutException($"not true within {limit.TotalSeconds:0.#} s: {what ?? "condition"}");
        }
    }
}
