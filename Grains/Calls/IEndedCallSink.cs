using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Calls;

/// <summary>
/// Something that wants a call's final record once it has ended (the post-call webhook). Called on the grain's
/// scheduler after the final save: an implementation queues the record and returns at once, so it never delays the
/// call's end, and it must not throw.
/// </summary>
public interface IEndedCallSink
{
    /// <summary>Takes the record of a call that ended on this silo (not one that moved to another activation).</summary>
    void OnCallEnded(CallSnapshot record);
}
