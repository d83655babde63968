using System.Globalization;
using AiAgent.Gateway.AudioSocket;

namespace AiAgent.Gateway.Tests;

/// <summary>
/// When silence is supplied for a caller whose media stops, as a table of scripts in milliseconds (20 ms frame
/// period, 40 ms threshold unless the case says otherwise). Script steps: <c>f12.5</c> a real 20 ms frame arrives
/// at 12.5 ms (<c>f0/60</c>: a 60 ms frame; <c>f150!</c>: it ends a filled gap); <c>t120=3+</c> a tick at 120 ms
/// supplies 3 frames and starts a gap (<c>t120=0e</c>: the call is ending).
/// </summary>
public sealed class CallerGapFillPolicyTests
{
    public static TheoryData<string, int, string> Cases => new()
    {
        // Asterisk's own cadence with jitter (p99 inter-arrival 20.2 ms, one frame 25 ms late, a two-frame burst): never filled.
        { "frames flowing with jitter", 40, "f0 t20=0 f20.2 t40=0 f40.1 t60=0 f65 t80=0 f80.3 t100=0 f139.5 f139.6 t140=0 t160=0 f160.2 t180=0 f180 t200=0" },
        // A frame 39 ms late is still not a gap; 41 ms is.
        { "late by less than the threshold", 40, "f0 t20=0 t40=0 t59=0 f59 t80=0 t100=0" },
        { "late by more than the threshold", 40, "f0 t61=3+ f61.5! t80=0 t100=0" },
        // The caller stops after three frames (audio to 60 ms): at 120 ms the 60 ms gap and the current frame are filled, then a frame per tick.
        { "caller stops", 40, "f0 f20 f40 t60=0 t80=0 t100=0 t120=4+ t140=1 t160=1 t180=1" },
        // Frames flow again: the fill stops at once; the real frame follows the silence already sent.
        { "caller resumes", 40, "f0 t80=4+ t100=1 f110! t120=0 t140=0 f130 t150=0 t160=0" },
        // A second gap after frames flowed again is a new gap.
        { "two gaps", 40, "f0 t80=4+ f85! t100=0 t180=4+ t200=1" },
        // A caller that never sends is filled from the call's start.
        { "never sends", 40, "t20=0 t40=0 t60=4+ t80=1" },
        // 60 ms packets every 60 ms: measured from the audio's end, never a gap.
        { "60 ms packetization", 40, "f0/60 t20=0 t40=0 t60=0 f60/60 t80=0 t100=0 t120=0 f120.4/60 t140=0 t160=0 t180=0 f180/60" },
        // A pacer stall of a second: one burst (threshold/period + 3 frames), the rest skipped, then one per tick.
        { "pacer stall", 40, "f0 t80=4+ t1080=5 t1100=1" },
        // Never while the call is ending, even in a gap.
        { "call ending", 40, "f0 t80=0e t100=0e" },
        { "ending mid-gap", 40, "f0 t80=4+ t100=0e t120=0e" },
        // Off.
        { "off", 0, "f0 t80=0 t1000=0" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Silence_is_supplied_only_across_gaps_longer_than_the_threshold(string name, int thresholdMs, string script)
    {
        const long us = 1_000; // timestamps in microseconds
        var policy = new CallerGapFillPolicy(start: 0, threshold: thresholdMs * us, period: 20 * us);
        foreach (var step in script.Split(' '))
        {
            if (step[0] == 'f')
            {
                var endsGap = step.EndsWith('!');
                var parts = step[1..].TrimEnd('!').Split('/');
                var duration = parts.Length > 1 ? Ms(parts[1]) : 20 * us;
                Assert.True(endsGap == policy.OnCallerFrame(Ms(parts[0]), duration), $"{name}: {step}");
            }
            else
            {
                var ending = step.EndsWith('e');
                var gapStarts = step.EndsWith('+');
                var parts = step[1..].TrimEnd('e', '+').Split('=');
                var decision = policy.OnTick(Ms(parts[0]), ending);
                Assert.True(new GapFillDecision(int.Parse(parts[1], CultureInfo.InvariantCulture), gapStarts) == decision, $"{name}: {step} gave {decision}");
            }
        }

        static long Ms(string text) => (long)(double.Parse(text, CultureInfo.InvariantCulture) * us);
    }

    [Fact]
    public void Filled_time_keeps_level_with_the_clock_over_a_long_gap()
    {
        var policy = new CallerGapFillPolicy(start: 0, threshold: 40, period: 20);
        policy.OnCallerFrame(0, 20);
        var frames = 0;
        for (var now = 21; now <= 10_021; now += 20)
        {
            frames += policy.OnTick(now, ending: false).Frames;
        }

        // Audio to 20, then 10 s of ticks: the silence supplied reaches one frame past the last tick (10,040), as a real frame would.
        Assert.Equal(501, frames);
    }
}
