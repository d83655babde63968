using AiAgent.Gateway.Audio;
using AiAgent.Grains.Interfaces.Audio;

namespace AiAgent.Gateway.Playout;

/// <summary>What one idle check found.</summary>
/// <param name="WentIdle">The call has just become idle: the grace period starts (say so once).</param>
/// <param name="Expired">Idle timeout and grace are both over: hang up.</param>
internal readonly record struct IdleVerdict(bool WentIdle, bool Expired);

/// <summary>
/// The caller-silence timeout: a call where neither the caller speaks (an inbound frame above the speech
/// threshold) nor the agent plays for <c>idle_timeout_seconds</c> is warned about, and hung up after
/// <c>idle_grace_seconds</c> more. Times are timestamps of the <see cref="TimeProvider"/> it was created with.
/// </summary>
/// <remarks>Caller audio is noted from the connection's read loop; agent frames and checks come from the pacer thread.</remarks>
internal sealed class CallerIdleMonitor
{
    private readonly long _timeoutTicks;
    private readonly long _graceTicks;
    private readonly double _speechRms;
    private readonly AudioEncoding _callerEncoding;
    private long _lastCallerVoice;
    private long _lastAgentFrame;
    private bool _warned;

    /// <param name="time">The clock whose timestamps the other members take.</param>
    /// <param name="timeout">Silence that makes the call idle.</param>
    /// <param name="grace">Further silence after which the idle call is hung up.</param>
    /// <param name="speechThresholdDbfs">An inbound frame louder than this (RMS) is the caller speaking.</param>
    /// <param name="callerEncoding">What the caller's frames carry.</param>
    public CallerIdleMonitor(TimeProvider time, TimeSpan timeout, TimeSpan grace, double speechThresholdDbfs, AudioEncoding callerEncoding)
    {
        Timeout = timeout;
        Grace = grace;
        _timeoutTicks = (long)(timeout.TotalSeconds * time.TimestampFrequency);
        _graceTicks = (long)(grace.TotalSeconds * time.TimestampFrequency);
        _speechRms = SignalLevel.RmsOf(speechThresholdDbfs);
        _callerEncoding = callerEncoding;
        var now = time.GetTimestamp();
        _lastCallerVoice = now;
        _lastAgentFrame = now;
    }

    /// <summary>The silence that makes the call idle.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The further silence that ends an idle call.</summary>
    public TimeSpan Grace { get; }

    /// <summary>When the caller last sent a frame loud enough to be speech (the creation time until then).</summary>
    public long LastCallerVoice => Volatile.Read(ref _lastCallerVoice);

    /// <summary>When agent audio last went out (the creation time until then).</summary>
    public long LastAgentFrame => _lastAgentFrame;

    /// <summary>Notes a caller frame received at <paramref name="now"/>; only one loud enough to be speech counts.</summary>
    public void OnCallerAudio(ReadOnlySpan<byte> frame, long now)
    {
        if (SignalLevel.IsAbove(frame, _callerEncoding, _speechRms))
        {
            Volatile.Write(ref _lastCallerVoice, now);
        }
    }

    /// <summary>Agent audio went out at <paramref name="now"/>: the call is not idle.</summary>
    public void OnAgentFrame(long now) => _lastAgentFrame = now;

    /// <summary>Checks the silence at <paramref name="now"/>; call it only while no agent audio plays or waits.</summary>
    public IdleVerdict Check(long now)
    {
        var silentFor = now - Math.Max(Volatile.Read(ref _lastCallerVoice), _lastAgentFrame);
        if (silentFor < _timeoutTicks)
        {
            _warned = false;
            return default;
        }

        var wentIdle = !_warned;
        _warned = true;
        return new IdleVerdict(wentIdle, Expired: silentFor >= _timeoutTicks + _graceTicks);
    }
}
