using System.Text.Json;
using AiAgent.Emulators.Common;
using AiAgent.Emulators.Deepgram;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Tools;
using AiAgent.Tests.Tools;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using ToolCallOutcome = AiAgent.Grains.Interfaces.Calls.ToolCallOutcome;

namespace AiAgent.Deepgram.Tests;

/// <summary>
/// Tool calling over the real Voice Agent protocol against the emulator (docs/tools.md, docs/protocols/deepgram.md):
/// <c>agent.think.functions</c> in Settings, <c>FunctionCallRequest</c> run client-side, <c>FunctionCallResponse</c>
/// with the same id and name, and the agent's speech after it.
/// </summary>
public sealed class ToolCallTests
{
    private static readonly (string, string)[] s_desks = [("sales", "Sales team, for new orders."), ("support", "Technical support.")];

    [Fact]
    public async Task Settings_offer_the_tools_as_client_side_think_functions()
    {
        var tools = await TestToolSets.CreateAsync([TestTool.Answering("lookup_order")], null, s_desks);
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, new DeepgramEmulatorOptions(), o => o.Greeting = "", context: c => c with { Tools = tools });
        await h.StartAsync();

        using var settings = JsonDocument.Parse(h.Connection.SettingsJson!);
        var functions = settings.RootElement.GetProperty("agent").GetProperty("think").GetProperty("functions").EnumerateArray().ToList();
        Assert.Equal(["hangup_call", "transfer_call", "lookup_order"], functions.Select(f => f.GetProperty("name").GetString()));
        Assert.All(functions, f => Assert.False(f.TryGetProperty("endpoint", out _)));
        Assert.Equal(JsonValueKind.Object, functions[0].GetProperty("parameters").ValueKind);
        var description = functions[1].GetProperty("description").GetString()!;
        Assert.Contains("- sales: Sales team", description, StringComparison.Ordinal);
        Assert.Contains("- support: Technical support.", description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_without_tools_have_no_functions()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, new DeepgramEmulatorOptions(), o => o.Greeting = "");
        await h.StartAsync();
        using var settings = JsonDocument.Parse(h.Connection.SettingsJson!);
        Assert.False(settings.RootElement.GetProperty("agent").GetProperty("think").TryGetProperty("functions", out _));
    }

    [Fact]
    public async Task Transfer_call_round_trips_with_the_same_id_and_the_agent_speaks_after()
    {
        var tools = await TestToolSets.CreateAsync([], null, s_desks);
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { BurstFactor = 20, ToolCalls = [new ScriptedToolCall(1, "transfer_call", """{"destination":"support"}""")] },
            o => o.Greeting = "", context: c => c with { Tools = tools });
        await h.StartAsync();
        await h.SendSpeechThenSilenceAsync();

        var finished = await h.WaitForAsync<ToolCallFinished>();
        Assert.Equal(("transfer_call", ToolCallOutcome.Ok), (finished.Entry.Name, finished.Entry.Outcome));
        var action = await h.WaitForAsync<CallActionRequested>();
        Assert.Equal(new TransferAction("support"), action.Action);
        // The agent speaks after the result.
        await h.WaitForAsync<AgentAudio>(skip: h.IndexOf(finished));

        var request = Assert.Single(h.Connection.FunctionCalls);
        var response = h.Connection.Messages.Single(m => m.Type == "FunctionCallResponse");
        using var doc = JsonDocument.Parse(response.Json);
        Assert.Equal(request.Id, doc.RootElement.GetProperty("id").GetString());
        Assert.Equal("transfer_call", doc.RootElement.GetProperty("name").GetString());
        Assert.Equal(finished.Entry.Result, doc.RootElement.GetProperty("content").GetString());
        Assert.Empty(h.Connection.ToolShapeErrors);
    }

    [Fact]
    public async Task Hangup_call_is_answered_and_the_farewell_follows()
    {
        var tools = await TestToolSets.CreateAsync([]);
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { BurstFactor = 20, ToolCalls = [new ScriptedToolCall(1, "hangup_call", "{}")] },
            o => o.Greeting = "", context: c => c with { Tools = tools });
        await h.StartAsync();
        await h.SendSpeechThenSilenceAsync();

        var action = await h.WaitForAsync<CallActionRequested>();
        Assert.IsType<HangupAction>(action.Action);
        await h.WaitForAsync<AgentTranscript>(t => t.Text == VoiceAssets.FarewellText);
        await h.WaitForAsync<AgentAudioDone>();
        Assert.Single(h.Connection.ToolResults);
        Assert.Empty(h.Connection.ToolShapeErrors);
    }

    [Fact]
    public async Task An_unknown_destination_and_an_unknown_tool_get_error_results()
    {
        var tools = await TestToolSets.CreateAsync([], null, s_desks);
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions
            {
                BurstFactor = 20,
                ToolCalls = [new ScriptedToolCall(1, "transfer_call", """{"destination":"mars"}"""), new ScriptedToolCall(1, "launch_rocket", "{}")],
            },
            o => o.Greeting = "", context: c => c with { Tools = tools });
        await h.StartAsync();
        await h.SendSpeechThenSilenceAsync();

        var transfer = await h.WaitForAsync<ToolCallFinished>(f => f.Entry.Name == "transfer_call");
        Assert.Equal(ToolCallOutcome.InvalidArguments, transfer.Entry.Outcome);
        Assert.Contains("/destination", transfer.Entry.Result, StringComparison.Ordinal);
        var unknown = await h.WaitForAsync<ToolCallFinished>(f => f.Entry.Name == "launch_rocket");
        Assert.Equal(ToolCallOutcome.UnknownTool, unknown.Entry.Outcome);
        Assert.Contains("hangup_call", unknown.Entry.Result, StringComparison.Ordinal);
        await h.Emulator.WaitUntilAsync(() => h.Connection.ToolResults.Count == 2, Waits.Long, "both results");
        await h.WaitForAsync<AgentAudioDone>();
        Assert.DoesNotContain(h.Events, e => e is CallActionRequested);
        Assert.Empty(h.Connection.ToolShapeErrors);
    }

    [Fact]
    public async Task An_agent_turn_spoken_before_a_function_call_plays_out_while_the_tool_runs_and_the_answer_follows()
    {
        var release = new TaskCompletionSource();
        var slow = TestTool.AnsweringAfter("lookup_order", release.Task);
        var tools = await TestToolSets.CreateAsync([slow]);
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { BurstFactor = 20, SpeakBeforeToolCalls = true, ToolCalls = [new ScriptedToolCall(1, "lookup_order", """{"order_id":"A-1"}""")] },
            o => o.Greeting = "", context: c => c with { Tools = tools });
        await h.StartAsync();
        await h.SendSpeechThenSilenceAsync();

        // The spoken turn is whole (its AgentAudioDone) before the request, and the tool's wait holds nothing back.
        var spoken = await h.WaitForAsync<AgentAudio>();
        await h.WaitForAsync<AgentAudioDone>(d => d.UtteranceId == spoken.UtteranceId);
        await slow.Started.WaitAsync(Waits.Long);
        Assert.DoesNotContain(h.Events, e => e is ToolCallFinished);

        release.SetResult();
        var finished = await h.WaitForAsync<ToolCallFinished>();
        Assert.Equal(ToolCallOutcome.Ok, finished.Entry.Outcome);
        var answer = await h.WaitForAsync<AgentAudio>(skip: h.IndexOf(finished));
        Assert.NotEqual(spoken.UtteranceId, answer.UtteranceId);
        Assert.Single(h.Connection.ToolResults);
        Assert.Empty(h.Connection.ToolShapeErrors);
    }

    [Fact]
    public async Task A_slow_tool_times_out_into_an_error_result_while_agent_audio_keeps_flowing()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var hanging = TestTool.Hanging("slow_lookup", timeout: TimeSpan.FromSeconds(3));
        var tools = await TestToolSets.CreateAsync([hanging]);
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { BurstFactor = 20, ToolCalls = [new ScriptedToolCall(1, "slow_lookup", "{}")] },
            o => o.Greeting = "", time: time, context: c => c with { Tools = tools });
        await h.StartAsync();
        await h.SendSpeechThenSilenceAsync();
        await hanging.Started.WaitAsync(Waits.Long);

        // While the tool runs the caller speaks again, and the agent's answer plays.
        var before = h.Events.Count;
        await h.SendSpeechThenSilenceAsync();
        await h.WaitForAsync<AgentAudio>(skip: before);
        Assert.DoesNotContain(h.Events, e => e is ToolCallFinished);

        // The tool's own timeout (3 s), not tools.timeout_ms (5 s), applies.
        time.Advance(TimeSpan.FromSeconds(3.5));
        var finished = await h.WaitForAsync<ToolCallFinished>();
        Assert.Equal(ToolCallOutcome.TimedOut, finished.Entry.Outcome);
        await hanging.Cancelled.WaitAsync(Waits.Long);
        await h.Emulator.WaitUntilAsync(() => h.Connection.ToolResults.Count == 1, Waits.Long, "the error result");
        Assert.Contains("did not answer within 3 s", h.Connection.ToolResults[0].Output, StringComparison.Ordinal);
        Assert.Empty(h.Connection.ToolShapeErrors);
    }

    [Fact]
    public async Task A_failing_tool_gets_an_error_result()
    {
        var tools = await TestToolSets.CreateAsync([TestTool.Throwing("explode", "secret-token")]);
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { BurstFactor = 20, ToolCalls = [new ScriptedToolCall(1, "explode", "{}")] },
            o => o.Greeting = "", context: c => c with { Tools = tools });
        await h.StartAsync();
        await h.SendSpeechThenSilenceAsync();

        var finished = await h.WaitForAsync<ToolCallFinished>();
        Assert.Equal(ToolCallOutcome.Failed, finished.Entry.Outcome);
        Assert.DoesNotContain("secret-token", finished.Entry.Result, StringComparison.Ordinal);
        await h.WaitForAsync<AgentAudioDone>();
        Assert.DoesNotContain(h.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Information && e.Message.Contains("secret-token", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_the_session_cancels_a_running_tool_into_a_Cancelled_entry()
    {
        var hanging = TestTool.Hanging("slow_lookup");
        var tools = await TestToolSets.CreateAsync([hanging]);
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8,
            new DeepgramEmulatorOptions { BurstFactor = 20, ToolCalls = [new ScriptedToolCall(1, "slow_lookup", "{}")] },
            o => o.Greeting = "", context: c => c with { Tools = tools });
        await h.StartAsync();
        await h.SendSpeechThenSilenceAsync();
        await hanging.Started.WaitAsync(Waits.Long);

        await h.Session.StopAsync(new CancellationTokenSource(Waits.Long).Token);
        await hanging.Cancelled.WaitAsync(Waits.Long);
        await h.WaitForCompletionAsync();
        var finished = Assert.Single(h.Events.OfType<ToolCallFinished>());
        Assert.Equal(ToolCallOutcome.Cancelled, finished.Entry.Outcome);
    }
}

/// <summary>A platform instruction (a warm transfer's briefing) reaches the agent as an injected message it answers.</summary>
public sealed class InstructionTests
{
    [Fact]
    public async Task An_instruction_is_injected_as_the_phone_systems_note_and_the_agent_speaks()
    {
        await using var h = await Harness.CreateAsync(AudioFormat.Slin8, new DeepgramEmulatorOptions(), o => o.Greeting = "");
        await h.StartAsync();

        Assert.True(await h.Session.InstructAsync("Brief the colleague from sales.", CancellationToken.None));

        await h.WaitForAsync<AgentAudio>();
        var injected = h.Connection.Messages.Single(m => m.Type == "InjectUserMessage");
        using var doc = JsonDocument.Parse(injected.Json);
        Assert.Equal("[Instruction from the phone system, not the caller] Brief the colleague from sales.", doc.RootElement.GetProperty("content").GetString());
    }
}
