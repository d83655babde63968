using System.Diagnostics;
using AiAgent.CallSim.Reporting;

namespace AiAgent.CallSim.Simulation;

/// <summary>
/// Runs simulated Asterisk calls against an AudioSocket server. One pacer thread drives every call from a monotonic
/// clock: tick <c>k</c> is due at <c>start + k × 20 ms</c> (deadlines, so sleeping late never accumulates drift), and
/// on each tick every streaming call writes one frame, as Asterisk forwards one voice frame per 20 ms of RTP.
/// </summary>
public static class AsteriskSimulator
{
    private static readonly long s_tickPeriod = Stopwatch.Frequency / 50;

    /// <summary>Runs one call to its end and returns what it saw.</summary>
    public static async Task<CallResult> RunCallAsync(CallSettings settings, CancellationToken cancellationToken = default)
    {
        var result = await RunAsync([settings], TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
        return result.Calls[0];
    }

    /// <summary>
    /// Runs the calls concurrently, their starts spread evenly over <paramref name="ramp"/>, and returns when all have
    /// ended. Cancelling hangs up every call in progress (as callers hanging up) and skips calls not yet started; the
    /// results still come back.
    /// </summary>
    public static Task<SimulationResult> RunAsync(
        IReadOnlyList<CallSettings> settings, TimeSpan ramp, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Count, 1, nameof(settings));
        return RunAsync(settings, ArrivalSchedule.All(settings.Count, ramp), cancellationToken);
    }

    /// <summary>
    /// Runs the calls, call i starting at <paramref name="schedule"/>'s arrival i (its hold, if any, is already in the
    /// call's settings), and returns when all have ended; at the schedule's <see cref="ArrivalSchedule.HangUpAt"/> every
    /// call still up is hung up. Cancelling hangs up every call in progress and skips calls not yet started.
    /// </summary>
    public static async Task<SimulationResult> RunAsync(
        IReadOnlyList<CallSettings> settings, ArrivalSchedule schedule, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.Count, 1, nameof(settings));
        if (schedule.Arrivals.Count != settings.Count)
        {
            throw new ArgumentException($"{schedule.Arrivals.Count} arrivals for {settings.Count} calls", nameof(schedule));
        }

        var calls = new SimulatedCall[settings.Count];
        var startTicks = new long[settings.Count];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = new SimulatedCall(settings[i]);
            startTicks[i] = TickOf(schedule.Arrivals[i].Start);
            if (i > 0 && startTicks[i] < startTicks[i - 1])
            {
                throw new ArgumentException("arrivals must be ordered by start", nameof(schedule));
            }
        }

        var hangUpTick = schedule.HangUpAt is { } hangUpAt ? TickOf(hangUpAt) : long.MaxValue;
        var startedAt = Stopwatch.GetTimestamp();
        var cpuBefore = GeneratorCpu();
        var gcBefore = GcActivity.OfThisProcess();

        // A dedicated thread, not the thread pool: the receive loops of a thousand calls must not delay the clock.
        var lateness = await Task.Factory.StartNew(
            () => Pace(calls, startTicks, hangUpTick, cancellationToken),
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).ConfigureAwait(false);

        var results = new CallResult[calls.Length];
        for (var i = 0; i < calls.Length; i++)
        {
            results[i] = await calls[i].Completion.ConfigureAwait(false);
        }

        var elapsedMs = Stopwatch.GetElapsedTime(startedAt).TotalMilliseconds;
        var cpuSeconds = (GeneratorCpu() - cpuBefore).TotalSeconds;
        var summary = Summarize(results, lateness, elapsedMs, cpuSeconds) with { GeneratorGc = GcActivity.OfThisProcess().Since(gcBefore) };
        return new SimulationResult(results, summary);
    }

    /// <summary>The pacer tick a start offset falls in (today's ramp: call i at tick ⌊i × ramp / 20 ms / N⌋).</summary>
    private static long TickOf(TimeSpan offset) => (long)(offset.TotalMilliseconds / 20);

    /// <summary>This process's CPU time, every thread (pacer and receive loops): the generator's own cost.</summary>
    private static TimeSpan GeneratorCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static double[] Pace(SimulatedCall[] calls, long[] startTicks, long hangUpTick, CancellationToken cancellationToken)
    {
        var active = new List<SimulatedCall>(Math.Min(calls.Length, 65_536));
        var lateness = new List<double>(4096);
        var nextToStart = 0;
        var start = Stopwatch.GetTimestamp();
        for (long tick = 0; ; tick++)
        {
            var deadline = start + (tick * s_tickPeriod);
            WaitUntil(deadline);
            lateness.Add((Stopwatch.GetTimestamp() - deadline) * 1000.0 / Stopwatch.Frequency);

            var cancelled = cancellationToken.IsCancellationRequested;
            var hangUp = cancelled || tick >= hangUpTick;
            if (hangUp)
            {
                for (; nextToStart < calls.Length; nextToStart++)
                {
                    calls[nextToStart].MarkNotStarted();
                }
            }

            while (nextToStart < calls.Length && startTicks[nextToStart] <= tick)
            {
                calls[nextToStart].BeginConnect();
                active.Add(calls[nextToStart++]);
            }

            var kept = 0;
            for (var i = 0; i < active.Count; i++)
            {
                var call = active[i];
                if (call.OnTick(deadline, hangUp))
                {
                    active[kept++] = call;
                }
            }

            active.RemoveRange(kept, active.Count - kept);
            if (active.Count == 0 && nextToStart == calls.Length)
            {
                return [.. lateness];
            }
        }
    }

    /// <summary>Sleeps until the deadline; Linux sleeps about 0.1 ms past the request, which costs no CPU.</summary>
    private static void WaitUntil(long deadline)
    {
        while (true)
        {
            var remaining = deadline - Stopwatch.GetTimestamp();
            if (remaining <= 0)
            {
                return;
            }

            Thread.Sleep(Math.Max(1, (int)(remaining * 1000 / Stopwatch.Frequency)));
        }
    }

    private static LoadSummary Summarize(CallResult[] results, double[] pacerLateness, double elapsedMs, double cpuSeconds)
    {
        int gapCount = 0, replyGapCount = 0;
        foreach (var result in results)
        {
            gapCount += result.GapsMs.Length;
            replyGapCount += result.ReplyGapsMs.Length;
        }

        var gaps = new double[gapCount];
        var replyGaps = new double[replyGapCount];
        var replyOffset = 0;
        long lateFrames = 0;
        int callsWithLateFrames = 0;
        var callMs = 0.0;
        var firstAudio = new List<double>(results.Length);
        var firstSpeech = new List<double>(results.Length);
        var failures = new List<string>();
        var offset = 0;
        long framesSent = 0, framesReceived = 0, wrongSize = 0, mismatch = 0, violations = 0, stalls = 0, speech = 0;
        int passed = 0, connectFailed = 0, closeTimeouts = 0;
        var outcomes = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            var s = result.Summary;
            result.GapsMs.Span.CopyTo(gaps.AsSpan(offset));
            offset += result.GapsMs.Length;
            result.ReplyGapsMs.Span.CopyTo(replyGaps.AsSpan(replyOffset));
            replyOffset += result.ReplyGapsMs.Length;
            lateFrames += s.LateFrames;
            callsWithLateFrames += s.LateFrames > 0 ? 1 : 0;
            callMs += s.DurationMs;
            if (s.FirstAudioMs is { } audio)
            {
                firstAudio.Add(audio);
            }

            if (s.FirstSpeechMs is { } spoken)
            {
                firstSpeech.Add(spoken);
            }

            framesSent += s.FramesSent;
            framesReceived += s.FramesReceived;
            wrongSize += s.WrongSizeFrames;
            mismatch += s.KindMismatchFrames;
            violations += s.Violations;
            stalls += s.SendStalls;
            speech += s.SpeechFrames;
            connectFailed += s.Outcome == CallOutcome.ConnectFailed ? 1 : 0;
            closeTimeouts += s.ServerCloseTimedOut ? 1 : 0;
            var outcome = s.Outcome.ToString();
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            if (s.Passed)
            {
                passed++;
            }
            else if (failures.Count < 10)
            {
                failures.Add(Reporting.SummaryText.DescribeFailure(s));
            }
        }

        return new LoadSummary
        {
            Calls = results.Length,
            Passed = passed,
            Failed = results.Length - passed,
            ConnectFailed = connectFailed,
            Outcomes = outcomes,
            Endings = CallEndings.From(results.Select(static r => r.Summary).ToArray()),
            ServerCloseTimeouts = closeTimeouts,
            DurationMs = elapsedMs,
            FramesSent = framesSent,
            FramesReceived = framesReceived,
            WrongSizeFrames = wrongSize,
            KindMismatchFrames = mismatch,
            Violations = violations,
            SendStalls = stalls,
            SpeechFrames = speech,
            Gaps = GapStatistics.FromGaps(gaps),
            ReplyGaps = GapStatistics.FromGaps(replyGaps),
            LateFrames = lateFrames,
            CallsWithLateFrames = callsWithLateFrames,
            CallSeconds = callMs / 1000,
            MeanLiveCalls = elapsedMs <= 0 ? 0 : callMs / elapsedMs,
            GeneratorCpuSeconds = cpuSeconds,
            GeneratorCpuPercentOfCore = elapsedMs <= 0 ? 0 : cpuSeconds * 1000 / elapsedMs * 100,
            FirstAudio = TimingStats.FromValues(firstAudio.ToArray()),
            FirstSpeech = TimingStats.FromValues(firstSpeech.ToArray()),
            PacerLateness = TimingStats.FromValues(pacerLateness),
            Failures = failures,
            Conversation = ConversationLoadSummary.From(results.Select(static r => r.Summary)),
            PerCall = results.Any(static r => r.Summary.Conversation is not null) ? results.Select(static r => r.Summary).ToArray() : null,
        };
    }
}
