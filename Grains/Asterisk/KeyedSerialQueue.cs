using Microsoft.Extensions.Logging;

namespace AiAgent.Grains.Asterisk;

/// <summary>
/// Runs work items in order per key and in parallel across keys: the ARI event pump posts each call's events here,
/// so one call's slow REST requests (answer, bridge, external media) never hold up another call's events, while a
/// call's own <c>StasisStart</c> is always handled before its <c>StasisEnd</c>.
/// </summary>
/// <remarks>
/// A worker exists only while its key has work, so an idle call costs nothing. Hand-written: <c>Channel&lt;T&gt;</c>
/// per key would need the same bookkeeping to retire idle keys, and no library on the mirror does keyed ordering.
/// </remarks>
internal sealed class KeyedSerialQueue<TKey, TItem>(Func<TKey, TItem, CancellationToken, Task> handle, ILogger logger, CancellationToken stopping)
    where TKey : notnull
{
    private readonly Dictionary<TKey, Queue<TItem>> _pending = [];
    private readonly HashSet<Task> _workers = [];

    /// <summary>Queues <paramref name="item"/> behind the key's earlier items.</summary>
    public void Post(TKey key, TItem item)
    {
        lock (_pending)
        {
            if (_pending.TryGetValue(key, out var queue))
            {
                queue.Enqueue(item);
                return;
            }

            _pending[key] = new Queue<TItem>([item]);
            var worker = Task.Run(() => DrainAsync(key), CancellationToken.None);
            _workers.Add(worker);
            _ = worker.ContinueWith(t => { lock (_pending) { _workers.Remove(t); } }, TaskScheduler.Default);
        }
    }

    /// <summary>Completes once every item queued so far has been handled (or dropped on shutdown).</summary>
    public Task IdleAsync()
    {
        lock (_pending)
        {
            return Task.WhenAll([.. _workers]);
        }
    }

    private async Task DrainAsync(TKey key)
    {
        while (true)
        {
            TItem item;
            lock (_pending)
            {
                var queue = _pending[key];
                if (queue.Count == 0)
                {
                    _pending.Remove(key);
                    return;
                }

                item = queue.Peek();
            }

            try
            {
                await handle(key, item, stopping);
            }
            catch (Exception exception) when (exception is not OperationCanceledException || !stopping.IsCancellationRequested)
            {
                AriModeLog.EventHandlingFailed(logger, key.ToString() ?? string.Empty, exception);
            }
            catch (OperationCanceledException)
            {
                // Shutting down: the rest of this key's items are dropped with the connection.
            }

            lock (_pending)
            {
                _pending[key].Dequeue();
            }
        }
    }
}
