using System.Diagnostics;
using AiAgent.Gateway.AudioSocket;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Tests.Support;

namespace AiAgent.Gateway.Tests;

/// <summary>
/// A caller whose media stops (silence suppression, DTX) over real TCP: the gateway supplies silence to the
/// grain on the clock, in the call's format and sequence, only while no frame comes, and the idle timeout
/// still counts only the caller's real media.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CallerGapFillTests(ClusterFixture fixture)
{
    private const byte CallerByte = 0x45;
    private static readonly TimeSpan s_timeout = FakeAsterisk.Timeout;

    public static TheoryData<string, AudioSocketKind, int, int, byte> Formats => new()
    {
        // audiosocket.format, the label Asterisk sends, caller frame bytes, fill frame bytes (20 ms), silence byte
        { "slin", AudioSocketKind.Slin8, 320, 320, 0x00 },
        { "ulaw", AudioSocketKind.Slin8, 160, 160, 0xFF },
        { "alaw", AudioSocketKind.Slin8, 160, 160, 0xD5 },
        { "slin", AudioSocketKind.Slin16, 640, 640, 0x00 },
    };

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task A_caller_who_stops_sending_gets_silence_at_frame_rate_until_frames_flow_again(
        string format, AudioSocketKind label, int callerBytes, int fillBytes, byte silence)
    {
        await using var gateway = await GatewayHost.StartAsync(fixture, new Dictionary<string, string?>
        {
            ["audiosocket:format"] = format,
            ["audiosocket:caller_gap_fill_ms"] = "40",
        });
        using var metrics = new MetricRecorder(gateway.Services);
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        await asterisk.SendUuidAsync(callId);
        await asterisk.SendAudioAsync(Filled(callerBytes, CallerByte), label);
        var stopped = Stopwatch.GetTimestamp();
        await record.Started.Task.WaitAsync(s_timeout);

        // Fifty fill frames are a second of silence: they cannot come faster than the clock.
        await Waits.UntilAsync(() => Fills(record).Count >= 50, s_timeout, "fill frames delivered");
        var elapsed = Stopwatch.GetElapsedTime(stopped);
        var fills = Fills(record);
        // The real frame covers 20 ms and the fill runs at most one frame ahead of the clock.
        Assert.True((fills.Count - 1) * 20 <= elapsed.TotalMilliseconds, $"{fills.Count} fill frames within {elapsed.TotalMilliseconds:F0} ms: faster than the clock");
        Assert.All(fills, f => Assert.True(f.Audio.Length == fillBytes && f.Audio.All(b => b == silence), $"frame {f.Sequence} is not {fillBytes} bytes of 0x{silence:X2}"));
        // Numbered after the real frame, in the same sequence.
        Assert.Equal(Enumerable.Range(1, fills.Count).Select(i => (long)i), fills.Select(f => f.Sequence).Order());

        // Frames flow again: the fill stops, real audio follows the silence already sent.
        await asterisk.SendAudioAsync(Filled(callerBytes, CallerByte), label);
        await Waits.UntilAsync(() => record.Audio.Count(IsReal) == 2, s_timeout, "second real frame");
        var resumed = record.Audio.Single(f => IsReal(f) && f.Sequence > 0);
        Assert.True(resumed.Sequence > fills.Max(f => f.Sequence), "the real frame comes after the fill frames");
        Assert.True(metrics.Sum("ai_agent_gateway_caller_gap_fill_frames") >= 50);
        Assert.True(metrics.Sum("ai_agent_gateway_caller_gaps") >= 1);
    }

    [Fact]
    public async Task Nothing_is_filled_while_frames_flow()
    {
        // 100 ms rather than the default 40: on a loaded test machine the sender itself can be late by tens of ms.
        await using var gateway = await GatewayHost.StartAsync(fixture, new Dictionary<string, string?> { ["audiosocket:caller_gap_fill_ms"] = "100" });
        using var metrics = new MetricRecorder(gateway.Services);
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        await asterisk.SendUuidAsync(callId);
        await record.Started.Task.WaitAsync(s_timeout);

        // A second of frames at Asterisk's cadence (a periodic timer paces the sender; nothing waits on it for order).
        using var cadence = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var sentAt = new long[50];
        for (var i = 0; i < 50; i++)
        {
            await asterisk.SendAudioAsync(Filled(320, CallerByte));
            sentAt[i] = System.Diagnostics.Stopwatch.GetTimestamp();
            await cadence.WaitForNextTickAsync();
        }

        await Waits.UntilAsync(() => record.Audio.Count(IsReal) >= 50, s_timeout, "50 real frames");
        Assert.Equal(50, metrics.Sum("ai_agent_gateway_frames_in"));

        // Only stalls of this test process (a loaded machine can hold its timer, or the gateway's read of what was sent,
        // back by hundreds of ms) may be filled: fill frames may sit only between two real frames that were more than
        // 100 ms apart, as sent or as they arrived through the gateway, and at most one per 20 ms of that gap plus two
        // (the gateway's own ticks need not line up with either clock). Between frames that flowed on time: none.
        var real = record.Audio.Where(IsReal).OrderBy(f => f.Sequence).ToList();
        Assert.Equal(50, real.Count);
        var fills = record.Audio.Where(f => !IsReal(f)).Select(f => f.Sequence).ToList();
        for (var i = 1; i < real.Count; i++)
        {
            var between = fills.Count(q => q > real[i - 1].Sequence && q < real[i].Sequence);
            if (between == 0)
            {
                continue;
            }

            var sendGap = System.Diagnostics.Stopwatch.GetElapsedTime(sentAt[i - 1], sentAt[i]).TotalMilliseconds;
            var arrivalGap = System.Diagnostics.Stopwatch.GetElapsedTime(real[i - 1].ReceivedAt, real[i].ReceivedAt).TotalMilliseconds;
            var gap = Math.Max(sendGap, arrivalGap);
            Assert.True(gap > 100 && between <= (int)(gap / 20) + 2,
                $"{between} frames filled between real frames {i - 1} and {i}, {sendGap:0} ms apart as sent and {arrivalGap:0} ms as they arrived");
        }
    }

    [Theory]
    [InlineData("40")]
    [InlineData("0")]
    public async Task The_idle_timeout_still_fires_on_the_clock_and_fill_off_supplies_nothing(string fillMs)
    {
        await using var gateway = await GatewayHost.StartAsync(fixture, new Dictionary<string, string?>
        {
            ["audiosocket:idle_timeout_seconds"] = "2",
            ["audiosocket:idle_grace_seconds"] = "0",
            ["audiosocket:caller_gap_fill_ms"] = fillMs,
        });
        using var metrics = new MetricRecorder(gateway.Services);
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        await asterisk.SendUuidAsync(callId);
        await asterisk.SendAudioAsync(Filled(320, CallerByte)); // the caller speaks once, then sends nothing
        var spoke = Stopwatch.GetTimestamp();

        await asterisk.ReadUntilClosedAsync(expectHangup: true);

        Assert.Equal(CallEndReason.IdleTimeout, await record.HungUp.Task.WaitAsync(s_timeout));
        Assert.True(Stopwatch.GetElapsedTime(spoke) >= TimeSpan.FromSeconds(2), "fill frames must not keep the call from going idle, nor make it idle early");
        if (fillMs == "0")
        {
            Assert.Equal([0L], record.AudioSequences);
            Assert.Equal(0, metrics.Sum("ai_agent_gateway_caller_gap_fill_frames"));
        }
        else
        {
            // Two seconds of silence supplied (less the threshold), then nothing once the call ended.
            Assert.True(Fills(record).Count >= 50, $"{Fills(record).Count} fill frames over 2 s");
            Assert.Equal(Fills(record).Count, metrics.Sum("ai_agent_gateway_caller_gap_fill_frames"));
        }
    }

    private static List<(long Sequence, byte[] Audio, long ReceivedAt)> Fills(FakeCallRecord record) =>
        record.Audio.Where(f => !IsReal(f)).ToList();

    private static bool IsReal((long Sequence, byte[] Audio, long ReceivedAt) frame) => frame.Audio.Length > 0 && frame.Audio[0] == CallerByte;

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
