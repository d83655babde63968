using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Storage;
using Polly;

namespace AiAgent.Silo.Storage;

/// <summary>What every write chain of one storage shares.</summary>
internal sealed record RecordWriteServices(
    IGrainStorage Inner,
    ResiliencePipeline Retry,
    Serializer Serializer,
    RecordStorageMetrics Metrics,
    RecordStorageStatus Status,
    TimeProvider Time,
    ILogger Logger);

/// <summary>A record in one storage: a state name of one grain.</summary>
internal readonly record struct RecordKey(string StateName, GrainId GrainId);

/// <summary>One writer waiting for its snapshot (or a newer one of the same record) to land.</summary>
internal sealed class RecordWaiter<T>(IGrainState<T> target)
{
    private readonly TaskCompletionSource<ExceptionDispatchInfo?> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _released;

    /// <summary>The writer's state object: its ETag follows every write of the chain that lands.</summary>
    public IGrainState<T> Target { get; } = target;

    /// <summary>Null when the record landed, else the failure to throw to the writer. Never faults, so an abandoned wait leaves nothing unobserved.</summary>
    public Task<ExceptionDispatchInfo?> Outcome => _outcome.Task;

    /// <summary>The writer stopped waiting; from now on a failure of this write is counted as given up.</summary>
    public bool Released => _released;

    public void Release() => _released = true;

    public void Complete(ExceptionDispatchInfo? failure) => _outcome.TrySetResult(failure);
}

/// <summary>The newest snapshot of a record not landed yet, and everyone waiting for it or for an older one it replaced.</summary>
internal sealed class PendingRecord<T>(T state, List<RecordWaiter<T>> waiters)
{
    private byte[]? _fingerprint;

    public T State { get; } = state;

    public List<RecordWaiter<T>> Waiters { get; } = waiters;

    /// <summary>
    /// The snapshot's content hash, to recognise it in the store after an attempt whose reply was lost. Taken after a
    /// round trip through the serializer, so it hashes what a read from the store gives back (collection types, for
    /// one, come back as the deserializer makes them).
    /// </summary>
    public byte[] Fingerprint(Serializer serializer) =>
        _fingerprint ??= RecordWriteChain<T>.FingerprintOf(serializer.Deserialize<T>(serializer.SerializeToArray(State))!, serializer);

    /// <summary>This (newer) snapshot replacing <paramref name="older"/>: it lands for both sets of writers.</summary>
    /// <remarks>An older writer that stopped waiting and whose state object a newer writer also holds is dropped: nobody awaits it, and the newer one updates that state.</remarks>
    public PendingRecord<T> Replacing(PendingRecord<T> older) =>
        new(State, [.. older.Waiters.Where(w => !w.Released || !Waiters.Any(n => ReferenceEquals(n.Target, w.Target))), .. Waiters]);
}

/// <summary>The write never lands: another activation wrote the record in between. Not retried.</summary>
internal sealed class RecordFencedException(InconsistentStateException conflict) : Exception(conflict.Message, conflict)
{
    public InconsistentStateException Conflict { get; } = conflict;
}

/// <summary>
/// The writes of one record, one at a time and newest first: a snapshot that arrives while another is being written
/// or retried replaces any older one still waiting (coalesced per record, newest wins), and a retry always writes the
/// newest. The chain starts from the writer's ETag and knows every ETag it produced since (its lineage), so the
/// writer's state may lag behind a write that landed after the writer stopped waiting. It ends when nothing is left
/// to write; the next write starts a new chain.
/// </summary>
internal sealed class RecordWriteChain<T> : IRecordWriteChain
{
    // Content hashes of attempts whose outcome is unknown are kept for this many distinct snapshots; a reply lost for an
    // older one than that is treated as a conflict (fence) rather than recognised.
    private const int MaxUnknownOutcomes = 32;

    private readonly object _gate = new();
    private readonly RecordKey _key;
    private readonly RecordWriteServices _services;
    private readonly HashSet<string?> _lineage;
    private readonly List<byte[]> _unknownOutcomes = [];
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _etag;
    private bool _recordExists;
    private PendingRecord<T>? _pending;
    private PendingRecord<T>? _attempting;
    private bool _running;
    private bool _closed;
    private bool _waiting;
    private int _attempts;
    private long _firstFailure;

    public RecordWriteChain(RecordKey key, RecordWriteServices services, string? etag, bool recordExists)
    {
        _key = key;
        _services = services;
        _etag = etag;
        _recordExists = recordExists;
        _lineage = [etag];
    }

    /// <inheritdoc />
    public Task Ended => _ended.Task;

    private string GrainText => _key.GrainId.ToString();

    /// <summary>Adds a snapshot; <paramref name="start"/> tells the caller to run the chain (its first write).</summary>
    public EnqueueResult Enqueue(T state, string? etag, RecordWaiter<T> waiter, out bool start)
    {
        start = false;
        lock (_gate)
        {
            if (_closed)
            {
                return EnqueueResult.Ended;
            }

            if (!_lineage.Contains(etag))
            {
                // A version this chain never saw: the writer read the record from elsewhere, so it is not the
                // activation these pending writes belong to.
                return EnqueueResult.Conflict;
            }

            if (_pending is { } older)
            {
                _pending = new PendingRecord<T>(state, [waiter]).Replacing(older);
                _services.Metrics.Superseded();
            }
            else
            {
                _pending = new PendingRecord<T>(state, [waiter]);
            }

            start = !_running;
            _running = true;
            return EnqueueResult.Accepted;
        }
    }

    /// <summary>The newest snapshot not landed yet, with the version a writer should continue from (read-your-writes while storage is down).</summary>
    public bool TryReadNewest(out T state, out string? etag)
    {
        lock (_gate)
        {
            var newest = _pending ?? _attempting;
            state = newest is null ? default! : newest.State;
            etag = _etag;
            return !_closed && newest is not null;
        }
    }

    /// <summary>A writer stopped waiting before its snapshot landed: storage is not answering in time, which readiness reports.</summary>
    public void Deferred() => MarkWaiting("no answer in time", onlyIfPending: true);

    /// <summary>Writes until nothing is pending; each write retries transient failures (Polly) until it lands or <paramref name="stopping"/> fires.</summary>
    public async Task RunAsync(CancellationToken stopping, Action<RecordWriteChain<T>> ended)
    {
        _services.Status.WriteStarted();
        try
        {
            while (true)
            {
                try
                {
                    await _services.Retry.ExecuteAsync(static (chain, _) => chain.AttemptAsync(), this, stopping);
                }
                catch (RecordFencedException fence)
                {
                    RecordStorageLog.Fenced(_services.Logger, _key.StateName, GrainText);
                    Fail(ExceptionDispatchInfo.Capture(fence.Conflict), "conflict");
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    Fail(ExceptionDispatchInfo.Capture(new OperationCanceledException("the silo is stopping", stopping)), "shutdown");
                }
                catch (Exception ex)
                {
                    Fail(ExceptionDispatchInfo.Capture(ex), "error");
                }

                lock (_gate)
                {
                    if (_pending is null && _attempting is null)
                    {
                        _closed = true;
                        break;
                    }
                }
            }
        }
        finally
        {
            _services.Status.WriteEnded();
            ended(this);
            _ended.TrySetResult();
        }
    }

    /// <summary>One attempt: the newest snapshot against the last known version; a conflict is checked before it counts as a fence.</summary>
    private async ValueTask AttemptAsync()
    {
        PendingRecord<T> attempt;
        string? etag;
        bool exists;
        lock (_gate)
        {
            if (_pending is { } newest)
            {
                if (_attempting is { } failed)
                {
                    _attempting = newest.Replacing(failed); // the retry writes the newest snapshot instead
                    _services.Metrics.Superseded();
                }
                else
                {
                    _attempting = newest;
                }

                _pending = null;
            }

            attempt = _attempting!;
            etag = _etag;
            exists = _recordExists;
            _attempts++;
        }

        for (var resolved = false; ; resolved = true)
        {
            try
            {
                Landed(attempt, await WriteOnceAsync(attempt, etag, exists));
                return;
            }
            catch (InconsistentStateException conflict) when (!resolved)
            {
                if (await ResolveConflictAsync(attempt, conflict) is not { } resolution)
                {
                    return; // the attempt itself had landed
                }

                (etag, exists) = resolution;
            }
            catch (InconsistentStateException conflict)
            {
                throw new RecordFencedException(conflict);
            }
        }
    }

    private async Task<string?> WriteOnceAsync(PendingRecord<T> attempt, string? etag, bool exists)
    {
        var state = new GrainState<T>(attempt.State, etag) { RecordExists = exists };
        try
        {
            await _services.Inner.WriteStateAsync(_key.StateName, _key.GrainId, state);
            return state.ETag;
        }
        catch (Exception ex) when (TransientStorageErrors.IsTransient(ex))
        {
            // The command may have run with only its reply lost: remember what was sent, to recognise it later.
            var fingerprint = attempt.Fingerprint(_services.Serializer);
            lock (_gate)
            {
                if (!_unknownOutcomes.Any(f => f.AsSpan().SequenceEqual(fingerprint)))
                {
                    if (_unknownOutcomes.Count == MaxUnknownOutcomes)
                    {
                        _unknownOutcomes.RemoveAt(0);
                    }

                    _unknownOutcomes.Add(fingerprint);
                }
            }

            var error = TransientStorageErrors.Describe(ex);
            MarkWaiting(error);
            RecordStorageLog.AttemptFailed(_services.Logger, _key.StateName, GrainText, _attempts, error);
            throw;
        }
    }

    /// <summary>From the first failure or deferral until the record lands or is dropped, the chain counts as waiting for storage.</summary>
    private void MarkWaiting(string error, bool onlyIfPending = false)
    {
        bool first;
        lock (_gate)
        {
            if (onlyIfPending && (_closed || (_pending is null && _attempting is null)))
            {
                return; // landed meanwhile: nothing waits
            }

            first = !_waiting;
            _waiting = true;
            if (first)
            {
                _firstFailure = _services.Time.GetTimestamp();
            }
        }

        if (first)
        {
            _services.Status.WaitingStarted(error);
        }
        else
        {
            _services.Status.AttemptFailed(error);
        }
    }

    /// <summary>
    /// A version conflict is a fence unless the store shows otherwise: the record is gone (the store restarted empty or
    /// was flushed; no other activation wrote one), or it holds a snapshot of ours whose reply was lost. Returns the
    /// version to write the attempt against, or null when the attempt itself is what the store holds.
    /// </summary>
    private async Task<(string? ETag, bool Exists)?> ResolveConflictAsync(PendingRecord<T> attempt, InconsistentStateException conflict)
    {
        var stored = new GrainState<T>();
        await _services.Inner.ReadStateAsync(_key.StateName, _key.GrainId, stored);
        if (!stored.RecordExists)
        {
            Resolved("record_missing", null, exists: false);
            return (null, false);
        }

        var fingerprint = FingerprintOf(stored.State!, _services.Serializer); // read back: already in its stored shape
        bool ours;
        lock (_gate)
        {
            ours = _unknownOutcomes.Any(f => f.AsSpan().SequenceEqual(fingerprint));
        }

        if (!ours)
        {
            throw new RecordFencedException(conflict);
        }

        Resolved("own_write_landed", stored.ETag, exists: true);
        if (fingerprint.AsSpan().SequenceEqual(attempt.Fingerprint(_services.Serializer)))
        {
            Landed(attempt, stored.ETag);
            return null;
        }

        return (stored.ETag, true); // an older snapshot of ours landed: write the newest over it
    }

    private void Resolved(string resolution, string? etag, bool exists)
    {
        lock (_gate)
        {
            _etag = etag;
            _recordExists = exists;
            _lineage.Add(etag);
            _unknownOutcomes.Clear();
        }

        _services.Metrics.ConflictResolved(resolution);
        RecordStorageLog.ConflictResolved(_services.Logger, _key.StateName, GrainText, resolution);
    }

    private void Landed(PendingRecord<T> attempt, string? etag)
    {
        bool recovered;
        int attempts;
        lock (_gate)
        {
            _etag = etag;
            _recordExists = true;
            _lineage.Add(etag);
            _unknownOutcomes.Clear();
            _attempting = null;
            foreach (var waiter in attempt.Waiters)
            {
                // The writer may have returned already; its state still gets the version, so its next write continues from it.
                waiter.Target.ETag = etag;
                waiter.Target.RecordExists = true;
            }

            recovered = _waiting;
            _waiting = false;
            attempts = _attempts;
            _attempts = 0;
        }

        foreach (var waiter in attempt.Waiters)
        {
            waiter.Complete(null);
        }

        if (recovered)
        {
            RecordStorageLog.LandedAfterRetries(_services.Logger, _key.StateName, GrainText, attempts, _services.Time.GetElapsedTime(_firstFailure).TotalMilliseconds);
            if (_services.Status.WaitingEnded())
            {
                RecordStorageLog.Recovered(_services.Logger);
            }
        }
    }

    /// <summary>Drops everything pending: waiting writers get <paramref name="failure"/>; a write whose writer had returned is given up.</summary>
    private void Fail(ExceptionDispatchInfo failure, string reason)
    {
        List<RecordWaiter<T>> waiters;
        bool wasWaiting;
        lock (_gate)
        {
            waiters = [.. _attempting?.Waiters ?? [], .. _pending?.Waiters ?? []];
            _attempting = null;
            _pending = null;
            _unknownOutcomes.Clear();
            wasWaiting = _waiting;
            _waiting = false;
            _attempts = 0;
        }

        if (waiters.Any(w => w.Released))
        {
            _services.Metrics.GivenUp(reason);
            _services.Status.GaveUp();
            if (reason != "conflict")
            {
                RecordStorageLog.GivenUp(_services.Logger, failure.SourceException, _key.StateName, GrainText);
            }
        }

        foreach (var waiter in waiters)
        {
            waiter.Complete(failure);
        }

        if (wasWaiting)
        {
            _services.Status.WaitingEnded();
        }
    }

    internal static byte[] FingerprintOf(T state, Serializer serializer) => SHA256.HashData(serializer.SerializeToArray(state));
}

/// <summary>A write chain whatever its record type.</summary>
internal interface IRecordWriteChain
{
    /// <summary>Completes when the chain has nothing left to write.</summary>
    Task Ended { get; }
}

/// <summary>What became of a snapshot handed to a chain.</summary>
internal enum EnqueueResult
{
    /// <summary>Queued; it lands with the chain's next write.</summary>
    Accepted,

    /// <summary>The chain had just ended: start a new one.</summary>
    Ended,

    /// <summary>The writer's version is not one this chain knows: a conflict, not queued.</summary>
    Conflict,
}
