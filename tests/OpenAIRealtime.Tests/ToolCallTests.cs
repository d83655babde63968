using System.Text.Json;
using AiAgent.Emulators.Common;
using AiAgent.Emulators.OpenAIRealtime;
using AiAgent.Grains.Interfaces.Audio;
using ToolCallOutcome = AiAgent.Grains.Interfaces.Calls.ToolCallOutcome;
using AiAgent.Grains.Providers;
using AiAgent.Grains.Tools;
using AiAgent.OpenAIRealtime.Tests.Support;
using AiAgent.Tests.Tools;
using Microsoft.Extensions.Logging;

namespace AiAgent.OpenAIRealtime.Tests;

/// <summary>
/// Tool calling over the real protocol against the emulator (docs/tools.md, docs/protocols/openai-realtime.md Function
/// call): <c>session.tools</c>, the function call's run, its <c>function_call_output</c> with the same <c>call_id</c>,
/// then one <c>response.create</c>, and the reply audio after it.
/// </summary>
public sealed class ToolCallTests
{
    private static readonly (string, string)[] s_sales = [("sales", "Sales team, for new orders and prices.")];

    [Fact]
    public async Task Session_update_offers_the_tools_as_functions_with_tool_choice_auto()
    {
        var tools = await TestToolSets.CreateAsync([TestTool.Answering("lookup_order")], null, s_sales);
        await using var h = await Harness.StartAsync(provider: o => o.Greeting = "");
        await using var session = h.CreateSession(new AgentSessionContext(Guid.NewGuid(), AudioFormat.Slin8) { Tools = tools });
        await session.StartAsync(new CancellationTokenSource(Waits.Long).Token);

        var update = await h.Emulator.WaitForClientEventAsync("session.update", Waits.Long);
        using var doc = update.Parse();
        var sessionJson = doc.RootElement.GetProperty("session");
        Assert.Equal("auto", sessionJson.GetProperty("tool_choice").GetString());
        var offered = sessionJson.GetProperty("tools").EnumerateArray().ToList();
        Assert.Equal(["hangup_call", "transfer_call", "lookup_order"], offered.Select(t => t.GetProperty("name").GetString()));
        Assert.All(offered, t => Assert.Equal("function", t.GetProperty("type").GetString()));
        var transfer = offered[1];
        Assert.Contains("- sales: Sales team", transfer.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(["sales"], transfer.GetProperty("parameters").GetProperty("properties").GetProperty("destination").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Empty(h.Emulator.ToolShapeErrors);
    }

    [Fact]
    public async Task Session_update_without_tools_sends_neither_tools_nor_tool_choice()
    {
        await using var h = await Harness.StartAsync(provider: o => o.Greeting = "");
        await using var session = h.CreateSession(AudioFormat.Slin8);
        await session.StartAsync(new CancellationTokenSource(Waits.Long).Token);

        using var doc = (await h.Emulator.WaitForClientEventAsync("session.update", Waits.Long)).Parse();
        var sessionJson = doc.RootElement.GetProperty("session");
        Assert.False(sessionJson.TryGetProperty("tools", out _));
        Assert.False(sessionJson.TryGetProperty("tool_choice", out _));
    }

    [Fact]
    public async Task Hangup_call_round_trips_with_its_call_id_then_one_response_create_and_the_farewell_follows()
    {
        var tools = await TestToolSets.CreateAsync([]);
        await using var h = await Harness.StartAsync(e => e.ToolCalls = [new ScriptedToolCall(1, "hangup_call", """{"reason":"the caller is done"}""")], o => o.Greeting = "");
        await using var session = h.CreateSession(new AgentSessionContext(Guid.NewGuid(), AudioFormat.Slin8) { Tools = tools });
        var events = new EventReader(session);
        await session.StartAsync(new CancellationTokenSource(Waits.Long).Token);
        await CallerAudio.SendAsync(session, CallerAudio.SpeechThenSilence(session.Formats.Input));

        var finished = await events.NextAsync<ToolCallFinished>();
        Assert.Equal("hangup_call", finished.Entry.Name);
        Assert.Equal(ToolCallOutcome.Ok, finished.Entry.Outcome);
        Assert.Equal("""{"reason":"the caller is done"}""", finished.Entry.Arguments);
        Assert.Contains("\"status\":\"scheduled\"", finished.Entry.Result, StringComparison.Ordinal);
        var action = await events.SeenOrNextAsync<CallActionRequested>();
        Assert.IsType<HangupAction>(action.Action);
        var farewell = await events.NextAsync<AgentAudio>();
        Assert.True(farewell.Audio.Length > 0);

        // The emulator's side: the output names the call the model made, and exactly one response.create follows it.
        var callId = CallIdOf(h.Emulator.SentEvents.Single(e => e.Type == "response.function_call_arguments.done"));
        var received = h.Emulator.ReceivedEvents;
        var outputAt = IndexOfOutput(received, callId);
        Assert.True(outputAt >= 0, "no function_call_output for " + callId);
        Assert.Single(received.Skip(outputAt + 1), e => e.Type == "response.create");
        Assert.Equal(finished.Entry.Result, (await h.Emulator.WaitForToolResultAsync(Waits.Long)).Output);
        Assert.Single(h.Emulator.ToolResults);
        await h.Emulator.WaitForServerEventAsync(e => e.Type == "response.output_audio_transcript.done" && e.Json.Contains(VoiceAssets.FarewellText, StringComparison.Ordinal), Waits.Long);
        Assert.Empty(h.Emulator.ToolShapeErrors);
    }

    [Fact]
    public async Task Two_calls_of_one_response_get_one_response_create_after_both_outputs()
    {
        var release = new TaskCompletionSource();
        var slow = TestTool.AnsweringAfter("lookup_b", release.Task);
        var tools = await TestToolSets.CreateAsync([TestTool.Answering("lookup_a"), slow]);
        await using var h = await Harness.StartAsync(
            e => e.ToolCalls = [new ScriptedToolCall(1, "lookup_a", "{}"), new ScriptedToolCall(1, "lookup_b", "{}")], o => o.Greeting = "");
        await using var session = h.CreateSession(new AgentSessionContext(Guid.NewGuid(), AudioFormat.Slin8) { Tools = tools });
        var events = new EventReader(session);
        await session.StartAsync(new CancellationTokenSource(Waits.Long).Token);
        await CallerAudio.SendAsync(session, CallerAudio.SpeechThenSilence(session.Formats.Input));

        var first = await events.NextAsync<ToolCallFinished>();
        Assert.Equal("lookup_a", first.Entry.Name);
        await slow.Started.WaitAsync(Waits.Long);
        release.SetResult();
        var second = await events.NextAsync<ToolCallFinished>();
        Assert.Equal("lookup_b", second.Entry.Name);
        await events.NextAsync<AgentAudio>();

        var received = h.Emulator.ReceivedEvents;
        var calls = h.Emulator.SentEvents.Where(e => e.Type == "response.function_call_arguments.done").Select(CallIdOf).ToList();
        Assert.Equal(2, calls.Count);
        var lastOutput = calls.Max(c => IndexOfOutput(received, c));
        Assert.All(calls, c => Assert.True(IndexOfOutput(received, c) >= 0, "no output for " + c));
        // No response.create between the first output and the last, one after.
        var firstOutput = calls.Min(c => IndexOfOutput(received, c));
        Assert.DoesNotContain(received.Skip(firstOutput).Take(lastOutput - firstOutput), e => e.Type == "response.create");
        Assert.Single(received.Skip(lastOutput + 1), e => e.Type == "response.create");
        Assert.Empty(h.Emulator.ToolShapeErrors);
    }

    [Fact]
    public async Task Arguments_that_fail_the_schema_get_an_InvalidArguments_result_naming_the_path_and_the_reply_follows()
    {
        var tools = await TestToolSets.CreateAsync([], null, s_sales);
        await using var h = await Harness.StartAsync(e => e.ToolCalls = [new ScriptedToolCall(1, "transfer_call", """{"destination":"nowhere"}""")], o => o.Greeting = "");
        await using var session = h.CreateSession(new AgentSessionContext(Guid.NewGuid(), AudioFormat.Slin8) { Tools = tools });
        var events = new EventReader(session);
        await session.StartAsync(new CancellationTokenSource(Waits.Long).Token);
        await CallerAudio.SendAsync(session, CallerAudio.SpeechThenSilence(session.Formats.Input));

        var finished = await events.NextAsync<ToolCallFinished>();
        Assert.Equal(ToolCallOutcome.InvalidArguments, finished.Entry.Outcome);
        using var result = JsonDocument.Parse((await WaitForResultAsync(h.Emulator)).Output);
        Assert.Contains("/destination", result.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        await events.NextAsync<AgentAudio>();
        Assert.DoesNotContain(events.Seen, e => e is CallActionRequested);
        Assert.Empty(h.Emulator.ToolShapeErrors);
    }

    [Fact]
    public async Task A_slow_tool_times_out_into_an_error_result_while_agent_audio_keeps_flowing()
    {
        var time = TestClock.StartingNow();
        var hanging = TestTool.Hanging("slow_lookup");
        var tools = await TestToolSets.CreateAsync([hanging], timeoutMs: 4_000);
        await using var h = await Harness.StartAsync(e => e.ToolCalls = [new ScriptedToolCall(1, "slow_lookup", "{}")], o => o.Greeting = "", time);
        await using var session = h.CreateSession(new AgentSessionContext(Guid.NewGuid(), AudioFormat.Slin8) { Tools = tools });
        var events = new EventReader(session);
        await session.StartAsync(new CancellationTokenSource(Waits.Long).Token);
        await CallerAudio.SendAsync(session, CallerAudio.SpeechThenSilence(session.Formats.Input));
        await hanging.Started.WaitAsync(Waits.Long);

        // The tool is still running: the caller speaks again and the agent's answer plays meanwhile.
        await CallerAudio.SendAsync(session, CallerAudio.SpeechThenSilence(session.Formats.Input));
        await events.NextAsync<AgentAudio>();
        Assert.DoesNotContain(events.Seen, e => e is ToolCallFinished);

        time.Advance(TimeSpan.FromSeconds(5));
        var finished = await events.NextAsync<ToolCallFinished>();
        Assert.Equal(ToolCallOutcome.TimedOut, finished.Entry.Outcome);
        await hanging.Cancelled.WaitAsync(Waits.Long);
        var output = await WaitForResultAsync(h.Emulator);
        Assert.Contains("did not answer", output.Output, StringComparison.Ordinal);
        Assert.Empty(h.Emulator.ToolShapeErrors);
    }

    [Fact]
    public async Task Speech_and_a_function_call_in_one_response_play_out_while_the_tool_runs_and_the_answer_follows()
    {
        var release = new TaskCompletionSource();
        var slow = TestTool.AnsweringAfter("lookup_order", release.Task);
        var tools = await TestToolSets.CreateAsync([slow]);
        await using var h = await Harness.StartAsync(e =>
        {
            e.ToolCalls = [new ScriptedToolCall(1, "lookup_order", """{"order_id":"A-1"}""")];
            e.SpeakBeforeToolCalls = true;
        }, o => o.Greeting = "");
        await using var session = h.CreateSession(new AgentSessionContext(Guid.NewGuid(), AudioFormat.Slin8) { Tools = tools });
        var events = new EventReader(session);
        await session.StartAsync(new CancellationTokenSource(Waits.Long).Token);
        await CallerAudio.SendAsync(session, CallerAudio.SpeechThenSilence(session.Formats.Input));

        // "Let me look that up" is delivered whole while the tool is still working: nothing waits for the tool.
        var spoken = await events.NextAsync<AgentAudio>();
        await slow.Started.WaitAsync(Waits.Long);
        await events.SeenOrNextAsync<AgentAudioDone>(d => d.UtteranceId == spoken.UtteranceId);
        Assert.DoesNotContain(events.Seen, e => e is ToolCallFinished);

        release.SetResult();
        Assert.Equal(ToolCallOutcome.Ok, (await events.NextAsync<ToolCallFinished>()).Entry.Outcome);
        var answer = await events.NextAsync<AgentAudio>();
        Assert.NotEqual(spoken.UtteranceId, answer.UtteranceId);

        // One response.create, after the output: the response that spoke and called is not asked to speak again.
        var callId = CallIdOf(h.Emulator.SentEvents.Single(e => e.Type == "response.function_call_arguments.done"));
        var received = h.Emulator.ReceivedEvents;
        Assert.Single(received.Skip(IndexOfOutput(received, callId) + 1), e => e.Type == "response.create");
        Assert.Empty(h.Emulator.ToolShapeErrors);
    }

    [Fact]
    public async Task A_failing_tool_gets_an_error_result_without_its_exception_text()
    {
        const string secret = "sk-never-in-a-result";
        var tools = await TestToolSets.CreateAsync([TestTool.Throwing("explode", secret)]);
        await using var h = await Harness.StartAsync(e => e.ToolCalls = [new ScriptedToolCall(1, "explode", """{"order":"A-17"}""")], o => o.Greeting = "");
        await using var session = h.CreateSession(new AgentSessionContext(Guid.NewGuid(), AudioFormat.Slin8) { Tools = tools });
        var events = new EventReader(session);
        await session.StartAsync(new CancellationTokenSource(Waits.Long).Token);
        await CallerAudio.SendAsync(session, CallerAudio.SpeechThenSilence(session.Formats.Input));

        var finished = await events.NextAsync<ToolCallFinished>();
        Assert.Equal(ToolCallOutcome.Failed, finished.Entry.Outcome);
        Assert.DoesNotContain(secret, finished.Entry.Result, StringComparison.Ordinal);
        await events.NextAsync<AgentAudio>();

        // Information and above name the tool and the outcome, never the arguments, the result or the exception text.
        var visible = h.Logs.Entries.Where(e => e.Level >= LogLevel.Information).Select(e => e.Message).ToList();
        Assert.Contains(visible, m => m.Contains("explode", StringComparison.Ordinal) && m.Contains("failed", StringComparison.Ordinal));
        Assert.DoesNotContain(visible, m => m.Contains(secret, StringComparison.Ordinal) || m.Contains("A-17", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stopping_the_session_cancels_a_running_tool_into_a_Cancelled_entry()
    {
        var hanging = TestTool.Hanging("slow_lookup");
        var tools = await TestToolSets.CreateAsync([hanging]);
        await using var h = await Harness.StartAsync(e => e.ToolCalls = [new ScriptedToolCall(1, "slow_lookup", "{}")], o => o.Greeting = "");
        var session = h.CreateSession(new AgentSessionContext(Guid.NewGuid(), AudioFormat.Slin8) { Tools = tools });
        var events = new EventReader(session);
        await session.StartAsync(new CancellationTokenSource(Waits.Long).Token);
        await CallerAudio.SendAsync(session, CallerAudio.SpeechThenSilence(session.Formats.Input));
        await hanging.Started.WaitAsync(Waits.Long);

        await session.StopAsync(new CancellationTokenSource(Waits.Long).Token);
        await hanging.Cancelled.WaitAsync(Waits.Long);
        await events.DrainAsync();
        var finished = Assert.Single(events.Seen.OfType<ToolCallFinished>());
        Assert.Equal(ToolCallOutcome.Cancelled, finished.Entry.Outcome);
        await session.DisposeAsync();
    }

    private static string CallIdOf(SentServerEvent e)
    {
        using var doc = JsonDocument.Parse(e.Json);
        return doc.RootElement.GetProperty("call_id").GetString()!;
    }

    /// <summary>The index of the <c>conversation.item.create</c> carrying the <c>function_call_output</c> of <paramref name="callId"/>, or -1.</summary>
    private static int IndexOfOutput(IReadOnlyList<ReceivedClientEvent> received, string callId)
    {
        for (var i = 0; i < received.Count; i++)
        {
            if (received[i].Type != "conversation.item.create")
            {
                continue;
            }

            using var doc = received[i].Parse();
            var item = doc.RootElement.GetProperty("item");
            if (item.GetProperty("type").GetString() == "function_call_output" && item.GetProperty("call_id").GetString() == callId)
            {
                Assert.Equal(JsonValueKind.String, item.GetProperty("output").ValueKind);
                return i;
            }
        }

        return -1;
    }

    private static async Task<ToolCallResult> WaitForResultAsync(OpenAIRealtimeEmulator emulator)
    {
        var result = await emulator.WaitForToolResultAsync(Waits.Long);
        Assert.Single(emulator.ToolResults);
        return result;
    }
}

/// <summary>A platform instruction (a warm transfer's briefing) is a system item, then a response the agent speaks.</summary>
public sealed class InstructionTests
{
    [Fact]
    public async Task An_instruction_is_a_system_item_followed_by_response_create()
    {
        await using var h = await Harness.StartAsync(provider: o => o.Greeting = "");
        await using var session = h.CreateSession(AudioFormat.Slin8);
        var events = new EventReader(session);
        await session.StartAsync(new CancellationTokenSource(Waits.Long).Token);
        await h.Emulator.WaitForClientEventAsync("session.update", Waits.Long);

        Assert.True(await session.InstructAsync("Brief the colleague from sales.", CancellationToken.None));

        var item = await h.Emulator.WaitForClientEventAsync(e => e.Type == "conversation.item.create" && e.Json.Contains("\"system\"", StringComparison.Ordinal), Waits.Long);
        using var doc = item.Parse();
        var content = doc.RootElement.GetProperty("item").GetProperty("content")[0];
        Assert.Equal(("input_text", "Brief the colleague from sales."), (content.GetProperty("type").GetString(), content.GetProperty("text").GetString()));
        await h.Emulator.WaitForClientEventAsync("response.create", Waits.Long);
        await events.NextAsync<AgentAudio>();
    }
}
