using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Tests;

/// <summary>The caller's decisions tick by tick, against a scripted agent, on a microsecond clock: exact and instant.</summary>
public sealed class ConversationScriptTests
{
    private const long Frequency = 1_000_000;
    private const long Origin = 1_000_000;

    [Fact]
    public void HearsTheGreetingOutSpeaksListensToTheReplyPausesAndHangsUpAfterTheLastCycle()
    {
        var settings = Settings() with { Cycles = 2 };
        // The greeting plays 0-480 ms; each turn is answered 400 ms after it ends with 200 ms of speech.
        var run = new ScriptedCall(settings, speechFrames: 10, lastSpeechFrame: 7, greeting: (0, 500), replyAfterMs: 400, replyMs: 200);

        run.RunToHangUp();

        // Greeting heard out: 300 ms of quiet after its last frame (480 ms). Turn 1 speaks frames 0-9 from 780 ms; its
        // speech ends when frame 8 is due (940 ms). The reply (1340-1520 ms) is over at 1820 ms, then a 200 ms pause.
        var summary = run.Timeline.Summarize(Origin, At(run.HungUpAtMs!.Value), earlyEnd: null);
        Assert.Equal(
            [new CycleSummary(1, 780, 940, 400, false, MaxReplyGapMs: 20), new CycleSummary(2, 2_020, 2_180, 400, false, MaxReplyGapMs: 20)],
            summary.Cycles);
        Assert.Equal(3_260, run.HungUpAtMs);
        Assert.Equal([.. Enumerable.Range(0, 10), .. Enumerable.Range(0, 10)], run.SpeechFramesSent);
        Assert.Empty(run.SpokeOverTheAgent);
        Assert.False(summary.Dropped);
        Assert.Equal(2, run.Script.Turns);
    }

    [Fact]
    public void WithNoGreetingAndNoReplyItStartsAfterTheGreetingWaitGivesUpAfterTheReplyTimeoutAndGoesOn()
    {
        var settings = Settings() with { Cycles = 2, GreetingWait = TimeSpan.FromMilliseconds(500), ReplyTimeout = TimeSpan.FromSeconds(1) };
        var run = new ScriptedCall(settings, speechFrames: 10, lastSpeechFrame: 7, greeting: null, replyAfterMs: null, replyMs: 0);

        run.RunToHangUp();

        var summary = run.Timeline.Summarize(Origin, At(run.HungUpAtMs!.Value), earlyEnd: null);
        // Turn 1 at 500 ms, speech ends at 660; given up at 1660, pause to 1860; turn 2 ends 2020, given up 3020, pause.
        Assert.Equal(
            [new CycleSummary(1, 500, 660, null, true), new CycleSummary(2, 1_860, 2_020, null, true)],
            summary.Cycles);
        Assert.Equal(3_220, run.HungUpAtMs);
        Assert.True(summary.Dropped);
        Assert.Equal("turn 1 unanswered within the reply timeout", summary.DropReason);
        Assert.Equal(new AnswerWait(660, 3_220, Answered: false), Assert.Single(summary.Waits));
    }

    [Fact]
    public void NoTurnStartsOnceTheDurationHasPassed()
    {
        var settings = Settings() with { Duration = TimeSpan.FromSeconds(1.5), GreetingWait = TimeSpan.Zero };
        var run = new ScriptedCall(settings, speechFrames: 10, lastSpeechFrame: 9, greeting: null, replyAfterMs: 100, replyMs: 200);

        run.RunToHangUp();

        // Turn 1 at 100 ms (the leading silence), turn 2 at 1080 ms; the next would start at 2060 ms, past 1.5 s.
        Assert.Equal(2, run.Script.Turns);
        Assert.Equal(2_060, run.HungUpAtMs);
        var summary = run.Timeline.Summarize(Origin, At(run.HungUpAtMs!.Value), earlyEnd: null);
        Assert.Equal([100.0, 1_080], summary.Cycles.Select(static c => c.StartMs));
        Assert.Equal([100.0, 100], summary.Cycles.Select(static c => c.ReplyMs));
    }

    [Fact]
    public void StoppingEndsTheCallAfterTheCurrentReplyNotInTheMiddleOfATurn()
    {
        using var stop = new CancellationTokenSource();
        var settings = Settings() with { Stop = stop.Token, GreetingWait = TimeSpan.Zero };
        var run = new ScriptedCall(settings, speechFrames: 10, lastSpeechFrame: 9, greeting: null, replyAfterMs: 100, replyMs: 200);

        run.RunUntil(ms: 200); // turn 1 is under way
        stop.Cancel();
        run.RunToHangUp();

        Assert.Equal(1, run.Script.Turns);
        Assert.Equal(10, run.SpeechFramesSent.Count);
        var turn = Assert.Single(run.Timeline.Summarize(Origin, At(run.HungUpAtMs!.Value), earlyEnd: null).Cycles);
        Assert.Equal(100, turn.ReplyMs);
        Assert.Equal(1_080, run.HungUpAtMs); // the reply (400-580 ms) heard out and the pause, then hang up
    }

    [Fact]
    public void AnAgentThatNeverStopsTalkingIsInterruptedAfterMaxListen()
    {
        var settings = Settings() with { Cycles = 1, GreetingWait = TimeSpan.Zero, MaxListen = TimeSpan.FromSeconds(2) };
        var run = new ScriptedCall(settings, speechFrames: 10, lastSpeechFrame: 9, greeting: null, replyAfterMs: 100, replyMs: 60_000);

        run.RunToHangUp();

        // Speech ends at 300 ms; the caller stops listening 2 s later, pauses 200 ms, and (one cycle) hangs up.
        Assert.Equal(2_500, run.HungUpAtMs);
    }

    [Fact]
    public void SettingsThatNeverEndOrMakeNoSenseAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new ConversationSettings().Validate());
        Assert.Throws<ArgumentException>(() => new ConversationSettings { Cycles = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new ConversationSettings { Cycles = 1, ReplyQuiet = TimeSpan.Zero }.Validate());
        Assert.Throws<ArgumentException>(() => new ConversationSettings { Cycles = 1, MaxListen = TimeSpan.FromSeconds(1) }.Validate());
        new ConversationSettings { Duration = TimeSpan.FromSeconds(1) }.Validate();

        var silentCaller = new CallSettings
        {
            Audio = CallAudio.Silence(TimeSpan.FromSeconds(1), CallFormat.Slin),
            Conversation = new ConversationSettings { Cycles = 1 },
        };
        var error = Assert.Throws<ArgumentException>(silentCaller.Validate);
        Assert.Contains("needs a caller who speaks", error.Message, StringComparison.Ordinal);
    }

    private static ConversationSettings Settings() => new()
    {
        ReplyTimeout = TimeSpan.FromSeconds(2),
        ReplyQuiet = TimeSpan.FromMilliseconds(300),
        Pause = TimeSpan.FromMilliseconds(200),
        GreetingWait = TimeSpan.FromSeconds(1),
    };

    private static long At(double ms) => Origin + (long)(ms * 1000);

    /// <summary>
    /// Drives a script on a 20 ms tick from 0 ms, with an agent that plays a greeting and answers each turn a fixed time
    /// after the caller's speech ends; each tick the agent's frames for that moment arrive before the caller decides.
    /// </summary>
    private sealed class ScriptedCall
    {
        private readonly int _speechEndFrame;
        private readonly double? _replyAfterMs;
        private readonly double _replyMs;
        private readonly List<(double From, double To)> _agentSpeech = [];

        public ScriptedCall(ConversationSettings settings, int speechFrames, int lastSpeechFrame, (double From, double To)? greeting, double? replyAfterMs, double replyMs)
        {
            Timeline = new ConversationTimeline(Frequency);
            Script = new ConversationScript(settings, speechFrames, lastSpeechFrame, TimeSpan.FromMilliseconds(100), Timeline, Frequency);
            _speechEndFrame = lastSpeechFrame + 1;
            _replyAfterMs = replyAfterMs;
            _replyMs = replyMs;
            if (greeting is { } g)
            {
                _agentSpeech.Add(g);
            }

            if (_speechEndFrame == speechFrames)
            {
                _speechEndFrame = -1; // the turn ends on the first tick after the last frame: see OnStep
            }
        }

        public ConversationTimeline Timeline { get; }

        public ConversationScript Script { get; }

        public double NowMs { get; private set; }

        public double? HungUpAtMs { get; private set; }

        public List<int> SpeechFramesSent { get; } = [];

        /// <summary>Ticks on which the caller sent speech while the agent was speaking.</summary>
        public List<double> SpokeOverTheAgent { get; } = [];

        private CallerAction _previous = CallerAction.Silence;

        public void RunUntil(double ms)
        {
            while (NowMs < ms && HungUpAtMs is null)
            {
                Tick();
            }
        }

        public void RunToHangUp()
        {
            for (var i = 0; i < 20_000 && HungUpAtMs is null; i++)
            {
                Tick();
            }

            Assert.NotNull(HungUpAtMs);
        }

        private void Tick()
        {
            var now = NowMs;
            if (_agentSpeech.Any(s => now >= s.From && now < s.To))
            {
                Timeline.AgentFrame(At(now), speech: true);
            }

            var step = Script.Next(At(now));
            OnStep(step, now);
            NowMs += 20;
        }

        private void OnStep(CallerStep step, double now)
        {
            switch (step.Action)
            {
                case CallerAction.HangUp:
                    HungUpAtMs = now;
                    break;
                case CallerAction.Speech:
                    SpeechFramesSent.Add(step.AudioFrame);
                    if (_agentSpeech.Any(s => now >= s.From && now < s.To))
                    {
                        SpokeOverTheAgent.Add(now);
                    }

                    if (step.AudioFrame == _speechEndFrame)
                    {
                        Answer(now);
                    }

                    break;
                case CallerAction.Silence when _previous == CallerAction.Speech && _speechEndFrame == -1:
                    Answer(now);
                    break;
            }

            _previous = step.Action;
        }

        private void Answer(double speechEndMs)
        {
            if (_replyAfterMs is { } after)
            {
                _agentSpeech.Add((speechEndMs + after, speechEndMs + after + _replyMs));
            }
        }
    }
}
