using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Tests;

/// <summary>Who ended a run's calls, and how many had a reply gap over 100 ms (a provider-fault run's figures).</summary>
public sealed class CallEndingsTests
{
    [Fact]
    public void Outcomes_group_into_caller_platform_and_socket_and_long_reply_gaps_are_counted()
    {
        CallSummary Call(CallOutcome outcome, double? maxReplyGapMs = null) => new()
        {
            CallId = Guid.NewGuid().ToString(),
            Format = "slin",
            Outcome = outcome,
            Gaps = GapStatistics.Empty,
            ReplyGaps = maxReplyGapMs is { } max ? new GapStatistics(10, 20, max, max, 1) : GapStatistics.Empty,
        };

        var endings = CallEndings.From(
        [
            Call(CallOutcome.CallerHangup, 100), Call(CallOutcome.CallerHangup, 101), Call(CallOutcome.ServerHangupFrame, 900),
            Call(CallOutcome.ServerClosed), Call(CallOutcome.SocketError), Call(CallOutcome.ConnectFailed), Call(CallOutcome.ProtocolViolation),
            Call(CallOutcome.NotStarted),
        ]);

        Assert.Equal(new CallEndings { CompletedByCaller = 2, HungUpByPlatform = 2, FailedAtSocket = 3, NotStarted = 1, CallsWithReplyGapOver100Ms = 2 }, endings);
    }

    [Fact]
    public async Task A_run_reports_a_platform_hang_up_and_a_long_hole_and_the_markdown_shows_them()
    {
        // Call 1: an answer with a 150 ms hole, then the caller's hang-up. Call 2: the server hangs up (0x00) at once.
        var calls = 0;
        await using var server = new FakeAudioSocketServer(onUuid: async c =>
        {
            if (Interlocked.Increment(ref calls) == 2)
            {
                await c.SendFrameAsync(0x00, []);
                return;
            }

            await FakeAgent.AnswerTurnsAsync(c, 1, static (answer, frame) => frame == 4 ? TimeSpan.FromMilliseconds(150) : TimeSpan.Zero);
        });
        var audio = CallAudio.FromSamples(FakeAgent.Tone(CallFormat.Slin, 200), CallFormat.Slin);
        CallSettings Settings() => new()
        {
            Port = server.Port, CallId = Guid.NewGuid(), Audio = audio, LeadingSilence = TimeSpan.FromMilliseconds(100), Tail = TimeSpan.FromSeconds(1.5),
        };

        var run = await AsteriskSimulator.RunAsync([Settings(), Settings()], TimeSpan.FromMilliseconds(300)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(new CallEndings { CompletedByCaller = 1, HungUpByPlatform = 1, CallsWithReplyGapOver100Ms = 1 }, run.Load.Endings);
        var markdown = MarkdownReport.Format(new LoadRunReport { CommandLine = "callsim", Machine = MachineFacts.Now(null), Run = run.Load });
        Assert.Contains("| ended by | caller (script done) 1, platform (before the script ended) 1, socket failure 0 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| calls with a reply gap > 100 ms | 1 |", markdown, StringComparison.Ordinal);
    }
}
