using System.Globalization;
using AiAgent.CallSim.Reporting;

namespace AiAgent.CallSim.Simulation;

/// <summary>How one find-max step went against the bar.</summary>
/// <param name="Calls">N, the calls of the step.</param>
/// <param name="Held">The platform met the bar at N.</param>
/// <param name="GeneratorLimited">The generator itself was late (its pacer lateness p99 over the limit): the step says nothing about the platform.</param>
/// <param name="Reasons">Why the step failed (empty when it held).</param>
public sealed record StepVerdict(int Calls, bool Held, bool GeneratorLimited, IReadOnlyList<string> Reasons)
{
    /// <summary>Gap p99 inside replies above this fails a step.</summary>
    public const double ReplyGapP99LimitMs = 25;

    /// <summary>Pacer lateness p99 above this means the generator, not the platform, was the limit.</summary>
    public const double PacerLatenessP99LimitMs = 5;

    /// <summary>Judges a step: any late frame, a reply gap p99 over 25 ms, a failed call or a frame the platform dropped fails it.</summary>
    public static StepVerdict Judge(int calls, LoadSummary load)
    {
        var reasons = new List<string>();
        string F(double value) => value.ToString("0.0", CultureInfo.InvariantCulture);
        if (load.ReplyGaps.P99Ms is > ReplyGapP99LimitMs and var p99)
        {
            reasons.Add($"reply gap p99 {F(p99)} ms > {ReplyGapP99LimitMs:0} ms");
        }

        if (load.LateFrames > 0)
        {
            reasons.Add($"{load.LateFrames} late frames");
        }

        if (load.Failed > 0)
        {
            reasons.Add($"{load.Failed} failed calls");
        }

        if (load.PlatformMetrics is { FramesDropped: > 0 } metrics)
        {
            reasons.Add($"platform dropped {metrics.FramesDropped:0} frames");
        }

        var generatorLimited = load.PacerLateness.P99Ms is > PacerLatenessP99LimitMs;
        if (generatorLimited)
        {
            reasons.Insert(0, $"generator limited: pacer lateness p99 {F(load.PacerLateness.P99Ms!.Value)} ms > {PacerLatenessP99LimitMs:0} ms");
        }

        return new StepVerdict(calls, reasons.Count == 0, generatorLimited, reasons);
    }
}

/// <summary>What find-max does next.</summary>
/// <param name="NextCalls">Run a step at this N; null: stop.</param>
/// <param name="LargestHeld">The largest N that held so far (the answer once stopped); null when none did.</param>
/// <param name="GeneratorLimited">Stopped because the generator was the limit.</param>
/// <param name="Conclusion">Why it stopped (empty while running).</param>
public sealed record FindMaxDecision(int? NextCalls, int? LargestHeld, bool GeneratorLimited, string Conclusion)
{
    /// <summary>True when find-max is done.</summary>
    public bool Stop => NextCalls is null;
}

/// <summary>
/// The search of <c>--find-max</c>, pure: from the steps so far, the next N or the end. Steps grow by 1.25 (rounded
/// to tens) from the start until one fails the bar (<see cref="StepVerdict.Judge"/>) or the cap is reached; a start
/// that fails steps down by the same factor until one holds. Then one more step bisects between the largest N that
/// held and the lowest that failed. A generator-limited step stops the search
/// at once: the platform was not the limit there.
/// </summary>
public sealed class FindMaxPolicy
{
    /// <summary>Growth per step.</summary>
    public const double Growth = 1.25;

    private readonly int _start;
    private readonly int _max;

    /// <param name="start">The first step's N.</param>
    /// <param name="max">No step goes above this.</param>
    public FindMaxPolicy(int start, int max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(start, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(max, start);
        _start = start;
        _max = max;
    }

    /// <summary>N × 1.25 rounded to tens, at least N + 10, at most the cap.</summary>
    public int Grow(int calls) => Math.Min(_max, Math.Max(calls + 10, RoundToTens(calls * Growth)));

    /// <summary>The next step, or the end, given the steps run so far (in order).</summary>
    public FindMaxDecision Decide(IReadOnlyList<StepVerdict> steps)
    {
        if (steps.Count == 0)
        {
            return new FindMaxDecision(_start, null, false, string.Empty);
        }

        var largestHeld = steps.Where(static s => s.Held).Select(static s => (int?)s.Calls).Max();
        var last = steps[^1];
        if (last.GeneratorLimited)
        {
            return new FindMaxDecision(null, largestHeld, true,
                $"stopped at {last.Calls} calls: the generator was the limit ({last.Reasons[0]}), not the platform; "
                + (largestHeld is { } held ? $"the platform held {held} calls" : "no step held before it"));
        }

        var lowestFailed = steps.Where(static s => !s.Held).MinBy(static s => s.Calls);
        if (lowestFailed is null)
        {
            return last.Calls >= _max
                ? new FindMaxDecision(null, largestHeld, false, $"held at the cap ({_max} calls, --max-calls): the platform's limit is higher")
                : new FindMaxDecision(Grow(last.Calls), largestHeld, false, string.Empty);
        }

        var failedAt = lowestFailed.Calls;
        var why = string.Join("; ", lowestFailed.Reasons);
        var heldBelow = steps.Where(s => s.Held && s.Calls < failedAt).Select(static s => (int?)s.Calls).Max();
        if (heldBelow is null)
        {
            // Started above the limit: step down until a step holds.
            var down = Shrink(failedAt);
            return down < failedAt
                ? new FindMaxDecision(down, null, false, string.Empty)
                : new FindMaxDecision(null, null, false, $"no step held: even {failedAt} calls failed ({why})");
        }

        var middle = RoundToTens((heldBelow.Value + failedAt) / 2.0);
        if (!Bisected(steps) && middle > heldBelow && middle < failedAt)
        {
            return new FindMaxDecision(middle, largestHeld, false, string.Empty);
        }

        return new FindMaxDecision(null, largestHeld, false,
            $"largest N that held: {largestHeld}; {failedAt} calls failed ({why})"
            + (Bisected(steps) ? $"; bisected at {last.Calls}: {(last.Held ? "held" : "failed")}" : string.Empty));
    }

    /// <summary>N ÷ 1.25 rounded to tens, at least ten fewer, never below 10 (then N itself: nothing left to try).</summary>
    public static int Shrink(int calls) => calls <= 10 ? calls : Math.Max(10, Math.Min(calls - 10, RoundToTens(calls / Growth)));

    // The one bisection is the step after the first one that had both a failure and a held step below it.
    private static bool Bisected(IReadOnlyList<StepVerdict> steps)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            var failed = steps.Take(i + 1).Where(static s => !s.Held).Select(static s => (int?)s.Calls).Min();
            if (failed is { } f && steps.Take(i + 1).Any(s => s.Held && s.Calls < f))
            {
                return i < steps.Count - 1;
            }
        }

        return false;
    }

    private static int RoundToTens(double calls) => (int)(Math.Round(calls / 10, MidpointRounding.AwayFromZero) * 10);
}
