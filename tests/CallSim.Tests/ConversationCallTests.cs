using System.Text.Json;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;

namespace AiAgent.CallSim.Tests;

/// <summary>Calls that talk in cycles, over real TCP, against a fake server that takes turns like an agent.</summary>
public sealed class ConversationCallTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EveryTurnIsAnsweredAndMeasured()
    {
        await using var server = new FakeAudioSocketServer(onUuid: c => FakeAgent.AnswerTurnsAsync(c, answers: int.MaxValue));

        var result = await AsteriskSimulator.RunCallAsync(Settings(server.Port, cycles: 2)).WaitAsync(s_wait);

        var conversation = result.Summary.Conversation;
        Assert.NotNull(conversation);
        Assert.Equal(2, conversation.Cycles.Count);
        Assert.Equal(2, conversation.Answered);
        // The server answers once it has seen 100 ms of quiet after the speech: at least that late, never seconds late.
        Assert.All(conversation.Cycles, c => Assert.InRange(c.ReplyMs!.Value, 60, 2_000));
        Assert.Equal(result.Summary.ReplyAfterSpeechMs, conversation.Cycles[0].ReplyMs);
        Assert.False(conversation.Dropped);
        Assert.True(result.Summary.Passed);
        Assert.Equal(CallOutcome.CallerHangup, result.Summary.Outcome);
        Assert.NotNull(result.Summary.ConnectedAtUtc);
        Assert.NotNull(conversation.MaxPlayoutGapMs); // each answer is ten frames: gaps inside it are measured

        var json = JsonSerializer.Serialize(result.Summary, CallSimJsonContext.Default.CallSummary);
        using var parsed = JsonDocument.Parse(json);
        var cycles = parsed.RootElement.GetProperty("conversation").GetProperty("cycles");
        Assert.Equal(2, cycles.GetArrayLength());
        Assert.True(cycles[0].GetProperty("replyMs").GetDouble() > 0);
    }

    [Fact]
    public async Task ATurnWithNoAnswerDropsTheCall()
    {
        await using var server = new FakeAudioSocketServer(onUuid: c => FakeAgent.AnswerTurnsAsync(c, answers: 1));

        var result = await AsteriskSimulator.RunCallAsync(Settings(server.Port, cycles: 2)).WaitAsync(s_wait);

        var conversation = result.Summary.Conversation!;
        Assert.Equal([false, true], conversation.Cycles.Select(static c => c.GivenUp));
        Assert.True(conversation.Dropped);
        Assert.Equal("turn 2 unanswered within the reply timeout", conversation.DropReason);
        Assert.False(result.Summary.Passed);
        Assert.Equal(CallOutcome.CallerHangup, result.Summary.Outcome);
        Assert.Contains("dropped: turn 2", SummaryText.DescribeFailure(result.Summary), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AServerThatClosesBeforeThePlannedEndDropsTheCall()
    {
        await using var server = new FakeAudioSocketServer(onUuid: async c =>
        {
            await FakeAgent.AnswerTurnsAsync(c, answers: 1);
            c.Close();
        });

        var run = await AsteriskSimulator.RunAsync([Settings(server.Port, cycles: 3)], TimeSpan.Zero).WaitAsync(s_wait);

        var call = run.Calls[0].Summary;
        Assert.Equal(CallOutcome.ServerClosed, call.Outcome);
        Assert.True(call.Conversation!.Dropped);
        Assert.StartsWith("ended before its planned end: ServerClosed", call.Conversation.DropReason, StringComparison.Ordinal);
        Assert.False(call.Passed);
        Assert.Equal(1, run.Load.Conversation!.Dropped);
        Assert.Same(call, Assert.Single(run.Load.PerCall!));
    }

    private static CallSettings Settings(int port, int cycles)
    {
        var format = CallFormat.Slin;
        return new CallSettings
        {
            Port = port,
            Audio = CallAudio.FromSamples(FakeAgent.Tone(format, 200), format),
            LeadingSilence = TimeSpan.FromMilliseconds(100),
            Conversation = new ConversationSettings
            {
                Cycles = cycles,
                GreetingWait = TimeSpan.Zero,
                ReplyTimeout = TimeSpan.FromSeconds(1),
                ReplyQuiet = TimeSpan.FromMilliseconds(200),
                Pause = TimeSpan.FromMilliseconds(100),
            },
        };
    }

}
