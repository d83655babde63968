namespace AiAgent.Emulators.Ari;

/// <summary>
/// How the far end of an endpoint the application originates to behaves (<see cref="AriEmulator.ScriptEndpoint"/>):
/// answer after a delay, reject (busy …) after a delay, or ring until the originate's <c>timeout</c> (the default) or
/// until the test acts on the channel itself (<see cref="AriEmulatorDialled"/>).
/// </summary>
public sealed record AriEndpointScript
{
    private AriEndpointScript(TimeSpan? after, int? rejectCause)
    {
        After = after;
        RejectCause = rejectCause;
    }

    /// <summary>Rings until the originate's <c>timeout</c> (then <c>ChannelDestroyed</c> cause 19) or the test acts.</summary>
    public static AriEndpointScript Rings { get; } = new(null, null);

    /// <summary>When the scripted answer or rejection happens, counted from the originate; null: never by itself.</summary>
    public TimeSpan? After { get; }

    /// <summary>The Q.850 cause of a rejection; null: the far end answers at <see cref="After"/>.</summary>
    public int? RejectCause { get; }

    /// <summary>Answers <paramref name="after"/> the originate: <c>ChannelStateChange</c> Up, <c>StasisStart</c> with the appArgs.</summary>
    public static AriEndpointScript AnswerAfter(TimeSpan after) => new(after, null);

    /// <summary>Busy <paramref name="after"/> the originate: <c>ChannelHangupRequest</c> and <c>ChannelDestroyed</c> cause 17.</summary>
    public static AriEndpointScript BusyAfter(TimeSpan after) => new(after, 17);

    /// <summary>Rejects with <paramref name="cause"/> (19 no answer, 1 unallocated, 21 rejected …) <paramref name="after"/> the originate.</summary>
    public static AriEndpointScript RejectAfter(TimeSpan after, int cause) => new(after, cause);
}
