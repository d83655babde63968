using AiAgent.Grains.Calls;
using Orleans.Storage;

namespace AiAgent.Grains.Tests.Parts;

/// <summary>
/// The <c>calls</c> grain storage in memory for one record: checks ETags as the real providers do, keeps a copy of
/// every write, and can hold or fail writes, or stand for another activation's write.
/// </summary>
internal sealed class FakeCallStorage : IGrainStorage
{
    private readonly List<CallRecord> _writes = [];
    private CallRecord? _stored;
    private int _version;

    /// <summary>Copies of the record at each write, in order.</summary>
    public IReadOnlyList<CallRecord> Writes => _writes;

    /// <summary>The record as stored now; null when none.</summary>
    public CallRecord? Stored => _stored;

    /// <summary>True once a record exists.</summary>
    public bool RecordExists => _stored is not null;

    /// <summary>While set, a write waits for it.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>When set, writes fail with it.</summary>
    public Exception? Failure { get; set; }

    /// <summary>Writes started but not finished.</summary>
    public int InFlight { get; private set; }

    public int MaxInFlight { get; private set; }

    /// <summary>Puts a record in storage as another activation would (a new ETag).</summary>
    public void Put(CallRecord record)
    {
        _stored = Copy(record);
        _version++;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_stored is not null)
        {
            grainState.State = (T)(object)Copy(_stored);
            grainState.ETag = Etag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        InFlight++;
        MaxInFlight = Math.Max(MaxInFlight, InFlight);
        var copy = Copy((CallRecord)(object)grainState.State!);
        var etag = grainState.ETag;
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

            if (etag != (_stored is null ? null : Etag))
            {
                throw new InconsistentStateException($"ETag mismatch: stored {Etag}, written {etag}", Etag, etag);
            }

            _writes.Add(copy);
            _stored = copy;
            _version++;
            grainState.ETag = Etag;
            grainState.RecordExists = true;
        }
        finally
        {
            InFlight--;
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => Task.CompletedTask;

    private string Etag => _version.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static CallRecord Copy(CallRecord r) => new() { Snapshot = r.Snapshot, Epoch = r.Epoch, Start = r.Start };
}
