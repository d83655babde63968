using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Tests;

public sealed class ArrivalScheduleTests
{
    private static readonly TimeSpan s_hold = TimeSpan.FromSeconds(60);

    [Fact]
    public void Steady_keeps_N_calls_live_on_average_over_a_long_draw()
    {
        var run = TimeSpan.FromSeconds(6_000);
        var schedule = ArrivalSchedule.Steady(100, s_hold, run, seed: 7);

        // Little's law, once the longest call (4 holds) has had time to arrive: L = λ W = N.
        var live = schedule.MeanLive(s_hold * ArrivalSchedule.LongestHoldFactor, run);
        Assert.InRange(live, 96, 104);

        // λ = N / mean hold: about 100 / 60 s × 6,000 s = 10,000 arrivals.
        Assert.InRange(schedule.Arrivals.Count, 9_600, 10_400);
        Assert.InRange(schedule.Arrivals.Average(static a => a.Hold!.Value.TotalSeconds), 58, 62);
    }

    [Fact]
    public void Steady_holds_are_clamped_to_a_fifth_and_four_times_the_mean()
    {
        var holds = ArrivalSchedule.Steady(200, s_hold, TimeSpan.FromSeconds(3_000), seed: 3).Arrivals.Select(static a => a.Hold!.Value.TotalSeconds).ToArray();

        Assert.All(holds, static h => Assert.InRange(h, 12 - 1e-6, 240 + 1e-6));
        // With σ = 0.6 about 1 % of draws fall below 12 s and 0.5 % above 240 s: both clamps are reached.
        Assert.Contains(holds, static h => Math.Abs(h - 12) < 1e-6);
        Assert.Contains(holds, static h => Math.Abs(h - 240) < 1e-6);
        // A call centre's shape: the median below the mean (a long right tail).
        Assert.True(holds.Order().ElementAt(holds.Length / 2) < 60);
    }

    [Fact]
    public void Steady_starts_are_ordered_inside_the_run_and_calls_are_hung_up_four_holds_after_it()
    {
        var run = TimeSpan.FromSeconds(600);
        var schedule = ArrivalSchedule.Steady(20, s_hold, run, seed: 11);

        Assert.NotEmpty(schedule.Arrivals);
        Assert.All(schedule.Arrivals, a => Assert.InRange(a.Start, TimeSpan.Zero, run));
        Assert.Equal(schedule.Arrivals.OrderBy(static a => a.Start), schedule.Arrivals);
        Assert.Equal(run + TimeSpan.FromSeconds(240), schedule.HangUpAt);
    }

    [Fact]
    public void The_same_seed_draws_the_same_calls_and_another_seed_other_calls()
    {
        var run = TimeSpan.FromSeconds(300);
        var first = ArrivalSchedule.Steady(50, s_hold, run, seed: 42).Arrivals;
        var again = ArrivalSchedule.Steady(50, s_hold, run, seed: 42).Arrivals;
        var other = ArrivalSchedule.Steady(50, s_hold, run, seed: 43).Arrivals;

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void All_is_the_ramp_every_call_starts_over_with_no_drawn_length()
    {
        var schedule = ArrivalSchedule.All(4, TimeSpan.FromSeconds(1));

        Assert.Equal(
            [TimeSpan.Zero, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(750)],
            schedule.Arrivals.Select(static a => a.Start));
        Assert.All(schedule.Arrivals, static a => Assert.Null(a.Hold));
        Assert.Null(schedule.HangUpAt);
        Assert.Equal(4, schedule.MeanLive(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)));
        Assert.All(ArrivalSchedule.All(1, TimeSpan.Zero).Arrivals, static a => Assert.Equal(TimeSpan.Zero, a.Start));
    }
}
