using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Cli;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void DefaultsMatchAsterisk()
    {
        var options = CommandLine.Parse([], "default.wav")!;
        Assert.Equal("default.wav", options.Wav);
        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(8090, options.Port);
        Assert.Equal("slin", options.Format.Name);
        Assert.Equal(TimeSpan.FromSeconds(0.5), options.LeadingSilence);
        Assert.Equal(TimeSpan.FromSeconds(8), options.Tail);
        Assert.Equal(TimeSpan.FromSeconds(2), options.ConnectTimeout);
        Assert.False(options.SendHangupFrame);
        Assert.False(options.SilentGaps);
    }

    [Fact]
    public void ParsesEveryOption()
    {
        var options = CommandLine.Parse(
            ["--wav", "in.wav", "--out", "reply.wav", "--host", "gw", "--port", "9092", "--uuid", "40325ec2-5efd-4bd3-805f-53576e581d13",
             "--format", "slin16", "--label-legacy", "--leading-silence", "0", "--tail", "3.5", "--dtmf", "1@2.5,#@4",
             "--send-hangup-frame", "--silent-gaps", "--json", "--connect-timeout", "1", "--close-wait", "0.5"],
            "default.wav")!;

        Assert.Equal("in.wav", options.Wav);
        Assert.Equal("reply.wav", options.Out);
        Assert.Equal("gw", options.Host);
        Assert.Equal(9092, options.Port);
        Assert.Equal(Guid.Parse("40325ec2-5efd-4bd3-805f-53576e581d13"), options.Uuid);
        Assert.Equal(0x12, options.Format.Kind);
        Assert.True(options.LabelLegacy);
        Assert.Equal(TimeSpan.Zero, options.LeadingSilence);
        Assert.Equal(TimeSpan.FromSeconds(3.5), options.Tail);
        Assert.Equal([new DtmfEvent('1', TimeSpan.FromSeconds(2.5)), new DtmfEvent('#', TimeSpan.FromSeconds(4))], options.Dtmf);
        Assert.True(options.SendHangupFrame);
        Assert.True(options.SilentGaps);
        Assert.True(options.ToCallSettings(CallAudio.Silence(TimeSpan.FromSeconds(1), CallFormat.Slin))[0].SilentGaps);
        Assert.True(options.Json);
        Assert.Equal(TimeSpan.FromSeconds(1), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(0.5), options.CloseWait);
    }

    [Fact]
    public void CyclesAndDurationMakeEveryCallAConversation()
    {
        var options = CommandLine.Parse(
            ["--calls", "2", "--cycles", "4", "--duration", "60", "--reply-timeout", "3", "--reply-quiet", "0.8", "--cycle-pause", "0.2", "--greeting-wait", "0"],
            "x.wav")!;

        var calls = options.ToCallSettings(CallAudio.Silence(TimeSpan.FromSeconds(1), CallFormat.Slin));
        Assert.All(calls, static c => Assert.Equal(
            new ConversationSettings
            {
                Cycles = 4,
                Duration = TimeSpan.FromSeconds(60),
                ReplyTimeout = TimeSpan.FromSeconds(3),
                ReplyQuiet = TimeSpan.FromSeconds(0.8),
                Pause = TimeSpan.FromSeconds(0.2),
                GreetingWait = TimeSpan.Zero,
            },
            c.Conversation));
        Assert.Null(CommandLine.Parse([], "x.wav")!.ToCallSettings(CallAudio.Silence(TimeSpan.FromSeconds(1), CallFormat.Slin))[0].Conversation);
    }

    [Theory]
    [InlineData("--cycles", "0", "--cycles")]
    [InlineData("--duration", "0", "--duration")]
    [InlineData("--reply-timeout", "0", "--reply-timeout")]
    [InlineData("--format", "slin7", "--format")]
    [InlineData("--port", "70000", "--port")]
    [InlineData("--dtmf", "E@1", "--dtmf")]
    [InlineData("--dtmf", "1-2", "--dtmf")]
    [InlineData("--tail", "-1", "--tail")]
    [InlineData("--uuid", "nope", "--uuid")]
    [InlineData("--bogus", "x", "--bogus")]
    [InlineData("--arrival", "poisson", "--arrival")]
    [InlineData("--hold", "0", "--hold")]
    [InlineData("--run", "0", "--run")]
    [InlineData("--seed", "-1", "--seed")]
    [InlineData("--platform-pid", "0", "--platform-pid")]
    [InlineData("--sample-seconds", "0", "--sample-seconds")]
    [InlineData("--step-seconds", "x", "--step-seconds")]
    [InlineData("--max-calls", "0", "--max-calls")]
    public void BadValuesNameTheOption(string option, string value, string named)
    {
        var error = Assert.Throws<FormatException>(() => CommandLine.Parse([option, value], "x.wav"));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParsesTheLoadOptions()
    {
        var options = CommandLine.Parse(
            ["--arrival", "steady", "--hold", "30", "--seed", "9", "--platform-pid", "4242", "--sample-seconds", "5", "--json-out", "r.json",
             "--markdown", "r.md", "--find-max", "--step-seconds", "20", "--max-calls", "500", "--calls", "50"],
            "x.wav")!;

        Assert.Equal(ArrivalMode.Steady, options.Arrival);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Hold);
        Assert.Equal(9, options.Seed);
        Assert.Equal(4242, options.PlatformPid);
        Assert.Equal(TimeSpan.FromSeconds(5), options.SampleInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), CommandLine.Parse([], "x.wav")!.SampleInterval);
        Assert.Equal("r.json", options.JsonOut);
        Assert.Equal("r.md", options.Markdown);
        Assert.True(options.FindMax);
        Assert.Equal(TimeSpan.FromSeconds(20), options.StepLength);
        Assert.Equal(500, options.MaxCalls);
        Assert.Equal(50, options.Calls);
        Assert.Equal(100, CommandLine.Parse(["--find-max"], "x.wav")!.Calls); // find-max starts at 100 unless told
        Assert.Equal(ArrivalMode.All, CommandLine.Parse([], "x.wav")!.Arrival);
        Assert.Equal(TimeSpan.FromSeconds(600), CommandLine.Parse(["--arrival", "steady", "--run", "600"], "x.wav")!.Run);
    }

    [Theory]
    [InlineData("--hold", "--hold", "30")]
    [InlineData("--run", "--run", "30")]
    [InlineData("--seed", "--seed", "1")]
    [InlineData("--step-seconds", "--step-seconds", "10")]
    [InlineData("--max-calls", "--max-calls", "10")]
    public void OptionsOfAnotherModeAreRejectedByName(string named, params string[] args)
    {
        var error = Assert.Throws<FormatException>(() => CommandLine.Parse(args, "x.wav"));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--ramp", "--arrival", "steady", "--ramp", "1")]
    [InlineData("--duration", "--arrival", "steady", "--duration", "10")]
    [InlineData("--duration", "--find-max", "--duration", "10")]
    [InlineData("--max-calls", "--find-max", "--calls", "200", "--max-calls", "100")]
    [InlineData("--run", "--find-max", "--arrival", "steady", "--run", "60")]
    [InlineData("--uuid", "--arrival", "steady", "--uuid", "40325ec2-5efd-4bd3-805f-53576e581d13")]
    public void ContradictoryLoadOptionsNameTheOption(string named, params string[] args)
    {
        var error = Assert.Throws<FormatException>(() => CommandLine.Parse(args, "x.wav"));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SteadyCallsTalkInCyclesForTheirDrawnHold()
    {
        var options = CommandLine.Parse(["--arrival", "steady", "--calls", "5", "--hold", "10", "--run", "60", "--cycle-pause", "0.2"], "x.wav")!;

        var plan = options.Plan(CallAudio.Silence(TimeSpan.FromSeconds(1), CallFormat.Slin), options.Calls, null, seed: 1);

        Assert.Equal(plan.Schedule.Arrivals.Count, plan.Calls.Count);
        Assert.Equal(ArrivalSchedule.Steady(5, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(60), 1).Arrivals, plan.Schedule.Arrivals);
        for (var i = 0; i < plan.Calls.Count; i++)
        {
            Assert.Equal(plan.Schedule.Arrivals[i].Hold, plan.Calls[i].Conversation!.Duration);
            Assert.Equal(TimeSpan.FromSeconds(0.2), plan.Calls[i].Conversation!.Pause);
        }
    }

    [Fact]
    public void AFindMaxStepTalksInCyclesForTheStepLength()
    {
        var options = CommandLine.Parse(["--find-max", "--calls", "3", "--cycles", "4"], "x.wav")!;

        var plan = options.Plan(CallAudio.Silence(TimeSpan.FromSeconds(1), CallFormat.Slin), 3, options.StepLength, seed: 0);

        Assert.Equal(3, plan.Calls.Count);
        Assert.All(plan.Calls, static c => Assert.Equal((4, TimeSpan.FromSeconds(30)), (c.Conversation!.Cycles!.Value, c.Conversation.Duration!.Value)));
        Assert.Equal([TimeSpan.Zero, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(10)], plan.Schedule.Arrivals.Select(static a => a.Start));
    }

    [Fact]
    public void MissingValueIsAnError()
    {
        var error = Assert.Throws<FormatException>(() => CommandLine.Parse(["--wav", "--json"], "x.wav"));
        Assert.Contains("--wav needs a value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UuidWithManyCallsIsRejected()
    {
        var error = Assert.Throws<FormatException>(
            () => CommandLine.Parse(["--calls", "3", "--uuid", Guid.NewGuid().ToString()], "x.wav"));
        Assert.Contains("--uuid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HelpReturnsNull() => Assert.Null(CommandLine.Parse(["--help"], "x.wav"));
}
