namespace AiAgent.Gateway.Playout;

/// <summary>
/// When a draining gateway may end a call without the caller losing anything (docs/gateway.md, "Drain"): no agent
/// audio queued or playing (the caller of <see cref="IsQuiet"/> checks that), the agent's last words heard out, and
/// the caller neither speaking nor owed an answer. Times are timestamps of the <see cref="TimeProvider"/> given.
/// </summary>
/// <remarks>
/// "Owed an answer" matters because the grain drops agent audio while no gateway holds the call: ending the
/// session between the caller's last word and the agent's reply would lose that reply. So a call whose latest
/// caller speech came after the agent's latest audio waits <see cref="UnansweredWait"/> of caller silence (the
/// reply is not coming, or the speech was noise); a call whose caller was answered needs only
/// <see cref="AgentTail"/> after the answer's last frame. Caller speech starting at any moment blocks both at once.
/// </remarks>
internal sealed class QuietMoment(TimeProvider time)
{
    /// <summary>Agent silence after its last frame: longer than the playout lead (the frames written ahead have
    /// played) and than the pause between two chunks or utterances of one answer.</summary>
    public static readonly TimeSpan AgentTail = TimeSpan.FromMilliseconds(300);

    /// <summary>Caller silence after unanswered speech before the call counts as quiet anyway.</summary>
    public static readonly TimeSpan UnansweredWait = TimeSpan.FromSeconds(3);

    private readonly long _agentTailTicks = (long)(AgentTail.TotalSeconds * time.TimestampFrequency);
    private readonly long _unansweredTicks = (long)(UnansweredWait.TotalSeconds * time.TimestampFrequency);

    /// <summary>
    /// True when, at <paramref name="now"/>, the caller last spoke at <paramref name="lastCallerVoice"/> and the agent
    /// last played at <paramref name="lastAgentFrame"/>, the call may end. Call it only while nothing is queued or playing.
    /// </summary>
    public bool IsQuiet(long now, long lastCallerVoice, long lastAgentFrame)
    {
        if (now - lastAgentFrame < _agentTailTicks)
        {
            return false;
        }

        var answered = lastAgentFrame > lastCallerVoice;
        return answered || now - lastCallerVoice >= _unansweredTicks;
    }
}
