using System.Globalization;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Cli;

/// <summary>
/// <c>--find-max</c>: runs a fresh measured simulation per step, N as <see cref="FindMaxPolicy"/> decides, until it stops.
/// </summary>
internal static class FindMaxSearch
{
    /// <summary>Lets the platform finish the last step's hangups before the next step measures it.</summary>
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(3);

    public static async Task<FindMaxReport> RunAsync(
        CliOptions options, CallAudio audio, int seed, MeasuredRun run, TextWriter progress, CancellationToken cancellationToken)
    {
        var policy = new FindMaxPolicy(options.Calls, options.MaxCalls);
        var verdicts = new List<StepVerdict>();
        var steps = new List<FindMaxStep>();
        var arrival = options.Arrival == ArrivalMode.Steady ? "steady" : "all";
        while (true)
        {
            var decision = policy.Decide(verdicts);
            if (decision.Stop || cancellationToken.IsCancellationRequested)
            {
                var conclusion = decision.Stop ? decision.Conclusion : $"cancelled after {steps.Count} steps";
                var at = steps.LastOrDefault(s => s.Held && s.Calls == decision.LargestHeld);
                return new FindMaxReport(steps, decision.LargestHeld, at?.Load.PlatformCpuPercentOfCorePerCall, decision.GeneratorLimited, conclusion);
            }

            var calls = decision.NextCalls!.Value;
            if (steps.Count > 0)
            {
                await Quietly(Task.Delay(s_settle, cancellationToken)).ConfigureAwait(false);
            }

            await progress.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"find-max: step {steps.Count + 1}: {calls} calls ({arrival}) for {options.StepLength.TotalSeconds:0.#} s")).ConfigureAwait(false);
            var plan = options.Plan(audio, calls, options.StepLength, seed);
            var result = await run.RunAsync(plan, arrival, options.Arrival == ArrivalMode.Steady ? seed : null, cancellationToken).ConfigureAwait(false);
            var verdict = StepVerdict.Judge(calls, result.Load);
            verdicts.Add(verdict);
            steps.Add(new FindMaxStep(calls, verdict.Held, verdict.GeneratorLimited, verdict.Reasons, result.Load with { PerCall = null }));
            await progress.WriteLineAsync($"find-max: {calls} calls {(verdict.Held ? "held" : "failed: " + string.Join("; ", verdict.Reasons))}").ConfigureAwait(false);
        }
    }

    private static async Task Quietly(Task delay)
    {
        try
        {
            await delay.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Cancelled between steps: the loop stops at its next check.
        }
    }
}
