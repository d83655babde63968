using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Calls;

/// <summary>
/// The persisted record of a call, one per call id whatever its epoch, written by <see cref="CallRecorder"/> when the
/// call starts, at every turn's end and when it ends (never per frame). It is what a failover restores from, and its
/// ETag is the fence between activations: each write must follow the last one read.
/// </summary>
[GenerateSerializer, Alias("AiAgent.CallRecord")]
public sealed class CallRecord
{
    /// <summary>The operator view of the call at the time of the last write.</summary>
    [Id(0)]
    public CallSnapshot? Snapshot { get; set; }

    /// <summary>The epoch of the activation that wrote last: the one carrying the call.</summary>
    [Id(1)]
    public int Epoch { get; set; }

    /// <summary>How the call was started (formats, frame duration): what a restored activation needs to carry it on.</summary>
    [Id(2)]
    public CallStartRequest? Start { get; set; }
}

/// <summary>Names of the grain storages the call grains use.</summary>
public static class CallStorage
{
    /// <summary>Call records (history).</summary>
    public const string Name = "calls";

    /// <summary>The state name a call's <see cref="CallRecord"/> is stored under (what a reader of the storage asks for).</summary>
    public const string RecordStateName = "call";

    /// <summary>
    /// The storage key of a call's record: the call id alone, so every epoch's activation (and the locator) reads and
    /// writes the same record.
    /// </summary>
    public static GrainId RecordId(Guid callId) => GrainId.Create("call", callId.ToString("N"));
}
