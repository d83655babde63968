using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Calls;

/// <summary>What <see cref="FarewellEnd"/> says about ending the call now.</summary>
internal enum FarewellVerdict
{
    /// <summary>The farewell is still coming or still playing: keep the call.</summary>
    Wait,

    /// <summary>The farewell played out at the gateway (or the caller barged in on it): end the call.</summary>
    PlayedOut,

    /// <summary>No agent audio followed the request within <see cref="FarewellEnd.FarewellWait"/>: end the call.</summary>
    NoFarewell,

    /// <summary>The farewell never finished playing within <see cref="FarewellEnd.Deadline"/> (the backup timer): end the call.</summary>
    Deadline,
}

/// <summary>
/// Decides when a call the agent asked to end (<c>hangup_call</c>) or hand over (<c>transfer_call</c>) may end: once
/// the farewell has played out at the gateway, by its playout reports, not when the provider finished sending it, so
/// the caller hears the whole goodbye (or the whole "I'm putting you through") and the hangup frame follows its last frame.
/// </summary>
/// <remarks>
/// <para>The farewell is the agent audio still queued or playing when the request came (a model often says goodbye
/// and calls the tool in one response), together with every utterance that starts before it is over; when nothing was
/// playing, it is the next utterance (the model speaks after the tool's result), awaited for
/// <see cref="FarewellWait"/>.</para>
/// <para>Barge-in during the farewell flushes it as any answer (the caller is never talked over), and a flushed
/// utterance counts as played out: the request stands and the call ends. <see cref="Deadline"/> ends the call if the
/// audio never completes (a provider that stops mid-utterance, a gateway that never reports).</para>
/// </remarks>
internal sealed class FarewellEnd
{
    /// <summary>How long a farewell may take to start when nothing was playing at the request.</summary>
    public static readonly TimeSpan FarewellWait = TimeSpan.FromSeconds(4);

    /// <summary>The backup timer: the call ends this long after the request whatever is playing.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private readonly PlayoutTracker _playout;
    private readonly DateTime _requestedAtUtc;
    private bool _farewellSeen;

    /// <summary>Starts waiting for the farewell of a call that is to end with <paramref name="disposition"/>.</summary>
    public FarewellEnd(CallDisposition disposition, PlayoutTracker playout, DateTime requestedAtUtc)
    {
        Disposition = disposition;
        _playout = playout;
        _requestedAtUtc = requestedAtUtc;
        _farewellSeen = playout.State.Playing is not null;
    }

    /// <summary>How the call ends: <c>hangup</c> or <c>transfer:&lt;name&gt;</c>.</summary>
    public CallDisposition Disposition { get; }

    /// <summary>How long ago the request came, at <paramref name="nowUtc"/>.</summary>
    public TimeSpan Elapsed(DateTime nowUtc) => nowUtc - _requestedAtUtc;

    /// <summary>Agent audio arrived (the grain calls this after the tracker has seen it).</summary>
    public void OnAgentAudio() => _farewellSeen = true;

    /// <summary>Whether the call may end now; checked on every playout report and by the grain's timer.</summary>
    public FarewellVerdict Check(DateTime nowUtc)
    {
        var playing = _playout.State.Playing is not null;
        if (_farewellSeen && !playing)
        {
            return FarewellVerdict.PlayedOut;
        }

        var elapsed = Elapsed(nowUtc);
        if (!_farewellSeen && elapsed >= FarewellWait)
        {
            return FarewellVerdict.NoFarewell;
        }

        return elapsed >= Deadline ? FarewellVerdict.Deadline : FarewellVerdict.Wait;
    }
}
