using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Tests;

public sealed class FindMaxPolicyTests
{
    private readonly FindMaxPolicy _policy = new(start: 100, max: 2000);

    private static StepVerdict Held(int calls) => new(calls, true, false, []);

    private static StepVerdict Failed(int calls) => new(calls, false, false, ["3 late frames"]);

    [Fact]
    public void Steps_grow_by_a_quarter_rounded_to_tens_while_they_hold()
    {
        Assert.Equal(100, _policy.Decide([]).NextCalls);
        Assert.Equal(130, _policy.Decide([Held(100)]).NextCalls); // 125 rounds up
        Assert.Equal(160, _policy.Decide([Held(100), Held(130)]).NextCalls); // 162.5
        Assert.Equal(200, _policy.Decide([Held(100), Held(130), Held(160)]).NextCalls);
        Assert.Equal(20, new FindMaxPolicy(10, 100).Grow(10)); // 12.5 rounds to 10: at least ten more
    }

    [Fact]
    public void The_first_failure_is_bisected_once_against_the_last_N_that_held()
    {
        var decision = _policy.Decide([Held(100), Held(130), Held(160), Failed(200)]);

        Assert.Equal(180, decision.NextCalls);
        Assert.Equal(160, decision.LargestHeld);
    }

    [Fact]
    public void After_the_bisection_it_stops_with_the_largest_N_that_held()
    {
        var held = _policy.Decide([Held(100), Held(130), Held(160), Failed(200), Held(180)]);
        Assert.True(held.Stop);
        Assert.Equal(180, held.LargestHeld);
        Assert.Contains("200 calls failed", held.Conclusion, StringComparison.Ordinal);

        var failed = _policy.Decide([Held(100), Held(130), Held(160), Failed(200), Failed(180)]);
        Assert.True(failed.Stop);
        Assert.Equal(160, failed.LargestHeld);
        Assert.False(failed.GeneratorLimited);
    }

    [Fact]
    public void No_bisection_fits_between_neighbouring_tens()
    {
        var decision = new FindMaxPolicy(10, 100).Decide([Held(10), Failed(20)]);

        Assert.True(decision.Stop);
        Assert.Equal(10, decision.LargestHeld);
    }

    [Fact]
    public void A_failed_first_step_steps_down_until_one_holds_then_bisects_once()
    {
        Assert.Equal(240, _policy.Decide([Failed(300)]).NextCalls);
        Assert.Equal(190, _policy.Decide([Failed(300), Failed(240)]).NextCalls);

        var bisect = _policy.Decide([Failed(300), Failed(240), Held(190)]);
        Assert.Equal(220, bisect.NextCalls); // between 190 held and 240, the lowest that failed (215 rounds up)
        Assert.Equal(190, bisect.LargestHeld);

        var done = _policy.Decide([Failed(300), Failed(240), Held(190), Failed(220)]);
        Assert.True(done.Stop);
        Assert.Equal(190, done.LargestHeld);
        Assert.Contains("largest N that held: 190; 220 calls failed (3 late frames); bisected at 220: failed", done.Conclusion, StringComparison.Ordinal);
    }

    [Fact]
    public void Stepping_down_ends_at_ten_calls_with_nothing_held()
    {
        Assert.Equal(10, FindMaxPolicy.Shrink(20));
        var decision = _policy.Decide([Failed(20), Failed(10)]);

        Assert.True(decision.Stop);
        Assert.Null(decision.LargestHeld);
        Assert.Contains("no step held: even 10 calls failed (3 late frames)", decision.Conclusion, StringComparison.Ordinal);
    }

    [Fact]
    public void A_generator_limited_step_stops_the_search_and_blames_the_generator()
    {
        var limited = new StepVerdict(160, false, true, ["generator limited: pacer lateness p99 7.5 ms > 5 ms", "2 late frames"]);

        var decision = _policy.Decide([Held(100), Held(130), limited]);

        Assert.True(decision.Stop);
        Assert.True(decision.GeneratorLimited);
        Assert.Equal(130, decision.LargestHeld);
        Assert.Contains("the generator was the limit", decision.Conclusion, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cap_is_never_passed_and_a_step_held_at_it_ends_the_search()
    {
        var policy = new FindMaxPolicy(100, 150);

        Assert.Equal(150, policy.Decide([Held(100), Held(130)]).NextCalls);
        var decision = policy.Decide([Held(100), Held(130), Held(150)]);
        Assert.True(decision.Stop);
        Assert.Equal(150, decision.LargestHeld);
        Assert.Contains("cap", decision.Conclusion, StringComparison.Ordinal);
    }

    [Fact]
    public void A_step_is_judged_by_reply_gaps_late_frames_failed_calls_platform_drops_and_the_pacer()
    {
        var healthy = Load();
        Assert.True(StepVerdict.Judge(100, healthy).Held);

        Assert.Contains("reply gap p99 30.0 ms > 25 ms", StepVerdict.Judge(100, healthy with { ReplyGaps = new GapStatistics(100, 20, 30, 35, 3) }).Reasons);
        Assert.Contains("2 late frames", StepVerdict.Judge(100, healthy with { LateFrames = 2 }).Reasons);
        Assert.Contains("1 failed calls", StepVerdict.Judge(100, healthy with { Failed = 1 }).Reasons);
        var dropped = healthy with
        {
            PlatformMetrics = new PlatformMetrics { PlatformAddedLatency = new(0, null, null), TurnResponse = new(0, null, null), FramesDropped = 4 },
        };
        Assert.Contains("platform dropped 4 frames", StepVerdict.Judge(100, dropped).Reasons);

        var starved = StepVerdict.Judge(100, healthy with { PacerLateness = new TimingStats(1000, 0.2, 6.5, 9) });
        Assert.False(starved.Held);
        Assert.True(starved.GeneratorLimited);
        Assert.StartsWith("generator limited", starved.Reasons[0], StringComparison.Ordinal);
    }

    private static LoadSummary Load() => new()
    {
        Calls = 100,
        Passed = 100,
        Gaps = new GapStatistics(1000, 20, 21, 900, 10),
        ReplyGaps = new GapStatistics(1000, 20, 21, 24, 0),
        FirstAudio = TimingStats.Empty,
        FirstSpeech = TimingStats.Empty,
        PacerLateness = new TimingStats(1000, 0.1, 0.8, 2),
    };
}
