using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace AiAgent.Grains.Calls;

/// <summary>
/// One call's <see cref="CallRecord"/> in the <c>calls</c> grain storage, under <see cref="CallStorage.RecordId"/>.
/// The storage checks the ETag on every write, so a write by an activation that is no longer the one carrying the
/// call (another wrote since it read) fails with <see cref="InconsistentStateException"/>: the fence.
/// </summary>
internal sealed class CallRecordStore(IGrainStorage storage, Guid callId)
{
    private readonly GrainState<CallRecord> _state = new(new CallRecord());

    /// <summary>The record as last read or written; null when none exists.</summary>
    public CallRecord? Current => _state.RecordExists && _state.State is { } record ? record : null;

    /// <summary>The record to change before <see cref="WriteAsync"/> (a new one when none exists).</summary>
    public CallRecord Record => _state.State ??= new CallRecord();

    /// <summary>Reads the record (replacing what this store held).</summary>
    public Task ReadAsync() => storage.ReadStateAsync(CallStorage.RecordStateName, CallStorage.RecordId(callId), _state);

    /// <summary>Writes <see cref="Record"/>; throws <see cref="InconsistentStateException"/> when fenced out.</summary>
    public Task WriteAsync() => storage.WriteStateAsync(CallStorage.RecordStateName, CallStorage.RecordId(callId), _state);
}

/// <summary>Opens call records in the <c>calls</c> grain storage (a silo service).</summary>
public sealed class CallRecords(IServiceProvider services)
{
    private IGrainStorage Storage => field ??= services.GetRequiredKeyedService<IGrainStorage>(CallStorage.Name);

    /// <summary>The store of <paramref name="callId"/>'s record.</summary>
    internal CallRecordStore Open(Guid callId) => new(Storage, callId);
}
