using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Storage;
using Polly;
using Polly.Retry;

namespace AiAgent.Silo.Storage;

/// <summary>
/// Grain storage that rides out a storage outage (docs/Architecture.md, "Redis outage"), wrapped around the configured
/// provider of the <c>calls</c> storage:
/// <list type="bullet">
/// <item>A write returns as soon as it lands, and at the latest after <see cref="RecordStorageOptions.WriteWait"/>;
/// one that has not landed by then keeps retrying in the background (exponential backoff with jitter, Polly) until it
/// does, so the record lands once the store is back. The writer's state gets the new ETag whenever that is.</item>
/// <item>Writes of one record are serialised and coalesced: a newer snapshot replaces a pending older one.</item>
/// <item>A version conflict (<see cref="InconsistentStateException"/>) is a fence and is never retried, except that
/// the store is first asked whether it is one: a record that vanished, or one holding our own write whose reply was
/// lost, is not another activation.</item>
/// <item>Reads retry briefly within <see cref="RecordStorageOptions.ReadWait"/>, then fail; a read of a record with a
/// write pending returns that write.</item>
/// </list>
/// </summary>
public sealed class ResilientGrainStorage : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ConcurrentDictionary<RecordKey, IRecordWriteChain> _chains = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly IGrainStorage _inner;
    private readonly RecordStorageOptions _options;
    private readonly RecordWriteServices _services;
    private readonly ResiliencePipeline _readRetry;
    private readonly DeepCopier _copier;
    private readonly ILogger<ResilientGrainStorage> _logger;
    private readonly TimeProvider _time;
    private int _participating;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public ResilientGrainStorage(
        IGrainStorage inner,
        IOptions<RecordStorageOptions> options,
        RecordStorageMetrics metrics,
        RecordStorageStatus status,
        DeepCopier copier,
        Serializer serializer,
        ILogger<ResilientGrainStorage> logger,
        TimeProvider? time = null)
    {
        _inner = inner;
        _options = options.Value;
        _copier = copier;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        var retry = new ResiliencePipelineBuilder { TimeProvider = _time }.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is { } ex && TransientStorageErrors.IsTransient(ex)),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = _options.FirstRetryDelay,
            MaxDelay = _options.MaxRetryDelay,
            OnRetry = _ =>
            {
                metrics.Retry();
                return ValueTask.CompletedTask;
            },
        }).Build();
        _services = new RecordWriteServices(inner, retry, serializer, metrics, status, _time, logger);
        _readRetry = new ResiliencePipelineBuilder { TimeProvider = _time }.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is { } ex && TransientStorageErrors.IsTransient(ex)),
            MaxRetryAttempts = _options.ReadRetries,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = _options.FirstRetryDelay,
        }).Build();
    }

    /// <summary>Records with a write not landed yet.</summary>
    public int PendingRecords => _chains.Count;

    /// <inheritdoc />
    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // A private copy: the grain may change its state the moment this returns, while the write may still be retrying.
        var snapshot = _copier.Copy(grainState.State)!;
        var waiter = new RecordWaiter<T>(grainState);
        var key = new RecordKey(stateName, grainId);
        RecordWriteChain<T> chain;
        while (true)
        {
            chain = ChainFor(key, grainState);
            switch (chain.Enqueue(snapshot, grainState.ETag, waiter, out var start))
            {
                case EnqueueResult.Ended:
                    _chains.TryRemove(new KeyValuePair<RecordKey, IRecordWriteChain>(key, chain));
                    continue;
                case EnqueueResult.Conflict:
                    throw new InconsistentStateException(
                        $"Version conflict: record {stateName} of {grainId} has writes pending from another version than {grainState.ETag ?? "(none)"}",
                        storedEtag: "unknown", currentEtag: grainState.ETag ?? "");
            }

            if (start)
            {
                _ = chain.RunAsync(_stopping.Token, ended => _chains.TryRemove(new KeyValuePair<RecordKey, IRecordWriteChain>(key, ended)));
            }

            break;
        }

        var started = _time.GetTimestamp();
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure;
        try
        {
            failure = await waiter.Outcome.WaitAsync(_options.WriteWait, _time);
        }
        catch (TimeoutException)
        {
            waiter.Release();
            chain.Deferred();
            _services.Metrics.Deferred();
            var error = _services.Status.Snapshot().LastError ?? "no answer";
            RecordStorageLog.WriteDeferred(_logger, stateName, grainId.ToString(), _time.GetElapsedTime(started).TotalMilliseconds, error);
            return;
        }

        failure?.Throw();
    }

    /// <inheritdoc />
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_chains.TryGetValue(new RecordKey(stateName, grainId), out var pending)
            && pending is RecordWriteChain<T> chain
            && chain.TryReadNewest(out var newest, out var etag))
        {
            grainState.State = _copier.Copy(newest);
            grainState.ETag = etag;
            grainState.RecordExists = true;
            return;
        }

        // Into a private state: an attempt abandoned at the deadline may still complete, and must not touch the grain's.
        var scratch = new GrainState<T>(grainState.State, grainState.ETag) { RecordExists = grainState.RecordExists };
        try
        {
            await _readRetry.ExecuteAsync(
                    static async (args, _) => await args.Inner.ReadStateAsync(args.StateName, args.GrainId, args.Scratch),
                    (Inner: _inner, StateName: stateName, GrainId: grainId, Scratch: scratch))
                .AsTask()
                .WaitAsync(_options.ReadWait, _time);
        }
        catch (Exception ex) when (TransientStorageErrors.IsTransient(ex))
        {
            _services.Metrics.ReadFailed();
            RecordStorageLog.ReadFailed(_logger, stateName, grainId.ToString(), TransientStorageErrors.Describe(ex));
            throw;
        }

        grainState.State = scratch.State;
        grainState.ETag = scratch.ETag;
        grainState.RecordExists = scratch.RecordExists;
    }

    /// <inheritdoc />
    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        // Pending writes first, or one could land after the clear and bring the record back.
        if (_chains.TryGetValue(new RecordKey(stateName, grainId), out var pending) && pending is RecordWriteChain<T> chain)
        {
            await chain.Ended.WaitAsync(_options.WriteWait, _time);
        }

        await _readRetry.ExecuteAsync(
                static async (args, _) => await args.Inner.ClearStateAsync(args.StateName, args.GrainId, args.State),
                (Inner: _inner, StateName: stateName, GrainId: grainId, State: grainState))
            .AsTask()
            .WaitAsync(_options.ReadWait, _time);
    }

    /// <summary>Joins the silo lifecycle: the wrapped provider's own stages, and a flush of pending writes when the silo stops.</summary>
    public void Participate(ISiloLifecycle lifecycle)
    {
        // Registered twice when the wrapped provider is itself a participant (its registration resolves this wrapper).
        if (Interlocked.Exchange(ref _participating, 1) == 1)
        {
            return;
        }

        (_inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

        // Stops after the grains (their last writes are queued by then), before the provider closes its connection.
        lifecycle.Subscribe(nameof(ResilientGrainStorage), ServiceLifecycleStage.ApplicationServices + 1, _ => Task.CompletedTask, FlushAsync);
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.ShutdownFlush);
        while (!_chains.IsEmpty && !deadline.IsCancellationRequested)
        {
            var ends = _chains.Values.Select(c => c.Ended);
            await Task.WhenAll(ends).WaitAsync(deadline.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (!_chains.IsEmpty)
        {
            RecordStorageLog.PendingAtShutdown(_logger, _chains.Count, _time.GetElapsedTime(started).TotalMilliseconds);
        }

        await _stopping.CancelAsync();
    }

    private RecordWriteChain<T> ChainFor<T>(RecordKey key, IGrainState<T> grainState)
    {
        var chain = _chains.GetOrAdd(key, static (k, args) => new RecordWriteChain<T>(k, args.Services, args.State.ETag, args.State.RecordExists), (Services: _services, State: grainState));
        return chain as RecordWriteChain<T>
            ?? throw new InvalidOperationException($"record {key.StateName} of {key.GrainId} is written as {typeof(T).Name} and as another type");
    }
}
