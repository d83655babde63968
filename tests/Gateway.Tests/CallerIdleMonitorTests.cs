using AiAgent.Gateway.Playout;
using AiAgent.Grains.Interfaces.Audio;
using Microsoft.Extensions.Time.Testing;

namespace AiAgent.Gateway.Tests;

public sealed class CallerIdleMonitorTests
{
    private readonly FakeTimeProvider _time = new();

    private CallerIdleMonitor NewMonitor(int graceSeconds = 5) =>
        new(_time, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(graceSeconds), speechThresholdDbfs: -45, AudioEncoding.Pcm16);

    public static TheoryData<int, int, bool, bool> Cases => new()
    {
        // grace s, silent s, went idle, expired
        { 5, 29, false, false },
        { 5, 30, true, false },
        { 5, 35, true, true },
        { 0, 30, true, true }, // no grace: warned and ended in the same check
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Silence_past_the_timeout_warns_and_past_the_grace_expires(int graceSeconds, int silentSeconds, bool wentIdle, bool expired)
    {
        var monitor = NewMonitor(graceSeconds);

        _time.Advance(TimeSpan.FromSeconds(silentSeconds));

        Assert.Equal(new IdleVerdict(wentIdle, expired), monitor.Check(_time.GetTimestamp()));
    }

    [Fact]
    public void The_warning_comes_once_per_silence()
    {
        var monitor = NewMonitor();
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(monitor.Check(_time.GetTimestamp()).WentIdle);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(monitor.Check(_time.GetTimestamp()).WentIdle);

        // Speech ends the silence; the next one is warned about again.
        monitor.OnCallerAudio(Tone(), _time.GetTimestamp());
        Assert.Equal(default, monitor.Check(_time.GetTimestamp()));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.True(monitor.Check(_time.GetTimestamp()).WentIdle);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Caller_speech_or_agent_audio_restarts_the_timeout_but_quiet_frames_do_not(bool speech)
    {
        var monitor = NewMonitor();
        _time.Advance(TimeSpan.FromSeconds(20));
        monitor.OnCallerAudio(new byte[320], _time.GetTimestamp()); // digital silence: not the caller speaking
        if (speech)
        {
            monitor.OnCallerAudio(Tone(), _time.GetTimestamp());
        }
        else
        {
            monitor.OnAgentFrame(_time.GetTimestamp());
        }

        _time.Advance(TimeSpan.FromSeconds(20));

        Assert.Equal(default, monitor.Check(_time.GetTimestamp()));
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(monitor.Check(_time.GetTimestamp()).WentIdle);
    }

    private static byte[] Tone()
    {
        var pcm = new byte[320];
        for (var i = 0; i < 160; i++)
        {
            BitConverter.TryWriteBytes(pcm.AsSpan(i * 2), (short)(8000 * Math.Sin(2 * Math.PI * 440 * i / 8000)));
        }

        return pcm;
    }
}
