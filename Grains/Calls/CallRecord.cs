using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Calls;

/// <summary>
/// The persisted record of a call, written by <see cref="CallRecorder"/> when the call starts, at every turn's end and
/// when it ends (never per frame).
/// </summary>
[GenerateSerializer, Alias("AiAgent.CallRecord")]
public sealed class CallRecord
{
    /// <summary>The operator view of the call at the time of the last write.</summary>
    [Id(0)]
    public CallSnapshot? Snapshot { get; set; }
}

/// <summary>Names of the grain storages the call grains use.</summary>
public static class CallStorage
{
    /// <summary>Call records (history).</summary>
    public const string Name = "calls";

    /// <summary>The state name the call grain persists its <see cref="CallRecord"/> under (what a reader of the storage asks for).</summary>
    public const string RecordStateName = "call";
}
