using AiAgent.Grains.Interfaces.Calls;
using Orleans.Concurrency;

namespace AiAgent.Grains.Calls;

/// <summary>Reads call records to find a call's current activation (see <see cref="ICallLocatorGrain"/>).</summary>
[StatelessWorker]
public sealed class CallLocatorGrain(CallRecords records) : Grain, ICallLocatorGrain
{
    /// <inheritdoc/>
    public async Task<CallLocation?> LocateAsync(Guid callId)
    {
        var record = await ReadAsync(callId);
        return record is { Epoch: >= CallGrainKeys.FirstEpoch }
            ? new CallLocation(callId, record.Epoch, record.Snapshot?.State ?? CallState.Active)
            : null;
    }

    /// <inheritdoc/>
    public async Task<CallSnapshot?> ReadSnapshotAsync(Guid callId) => (await ReadAsync(callId))?.Snapshot;

    private async Task<CallRecord?> ReadAsync(Guid callId)
    {
        var store = records.Open(callId);
        await store.ReadAsync();
        return store.Current;
    }
}
