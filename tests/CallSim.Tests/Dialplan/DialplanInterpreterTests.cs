using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Dialplan;
using AiAgent.CallSim.Reporting;
using AiAgent.CallSim.Simulation;
using Plan = AiAgent.CallSim.Dialplan.Dialplan;

namespace AiAgent.CallSim.Tests.Dialplan;

/// <summary>
/// The interpreter against a fake AudioSocket server and a fake disposition endpoint on loopback: each way the
/// server can end a session, by application, channel driver and version (docs/protocols/asterisk.md#when-the-server-ends-the-session).
/// </summary>
public sealed class DialplanInterpreterTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    private static Func<ServerConnection, Task> HangUpAtOnce => static c => c.SendFrameAsync(0x00, []);

    /// <summary>The documented app dialplan and destinations, exactly as docs/asterisk.md has them.</summary>
    private static Plan Documented() => Plan.Parse(string.Join("\n", DialplanDocument.TestedBlocks(File.ReadAllText(AdminGuide.Path)).Values));

    private static Task<DialplanRunResult> RunAsync(
        Plan plan, string exten, int gatewayPort, int httpPort = 1, AsteriskVersion? version = null, TimeSpan? patience = null, CallFormat? callerFormat = null) =>
        RunAsync(plan, exten, new EndpointMap().Add("gateway-host", 8090, "127.0.0.1", gatewayPort).Add("platform-host", 8080, "127.0.0.1", httpPort),
            version, patience, callerFormat);

    private static async Task<DialplanRunResult> RunAsync(
        Plan plan, string exten, EndpointMap endpoints, AsteriskVersion? version = null, TimeSpan? patience = null, CallFormat? callerFormat = null)
    {
        var settings = new DialplanRunSettings
        {
            Context = "aiagent-inbound",
            Extension = exten,
            Version = version ?? AsteriskVersion.Default,
            LeadingSilence = TimeSpan.FromMilliseconds(100),
            CallerSpeech = static f => CallAudio.Silence(TimeSpan.FromMilliseconds(100), f),
            CallerPatience = patience ?? TimeSpan.FromSeconds(10),
            CallerFormat = callerFormat ?? CallFormat.Slin,
            Endpoints = endpoints,
        };
        return await new DialplanInterpreter(plan).RunAsync(settings).WaitAsync(s_wait);
    }

    [Fact]
    public async Task App_continues_after_the_hangup_frame_and_takes_the_hangup_branch()
    {
        await using var gateway = new FakeAudioSocketServer(HangUpAtOnce);
        using var platform = new DispositionServer((200, "hangup\n"));

        var result = await RunAsync(Documented(), "100", gateway.Port, platform.Port);

        Assert.Equal(DialplanEnd.HungUp, result.Outcome.End);
        Assert.Equal("done", result.Outcome.At?.Label);
        Assert.Equal("hangup", result.Variables["NEXT"]); // trailing whitespace trimmed, as func_curl does
        var callId = result.Variables["CALLID"];
        Assert.Equal([$"/api/calls/{callId}/disposition"], platform.Paths);
        var uuidFrame = (await gateway.FirstConnection).Frames[0];
        Assert.Equal(Guid.Parse(callId).ToByteArray(bigEndian: true), uuidFrame.Payload);
        Assert.All((await gateway.FirstConnection).Frames.Skip(1), static f => Assert.Equal((0x10, 320), (f.Kind, f.Payload.Length)));
        Assert.Empty(result.Warnings);
    }

    [Theory]
    [InlineData("transfer:support", DialplanEnd.Dialled, "Queue(support)")]
    [InlineData("transfer:sales", DialplanEnd.Dialled, "PJSIP/sales-desk")]
    public async Task App_transfers_to_the_mapped_destination(string disposition, DialplanEnd end, string destination)
    {
        await using var gateway = new FakeAudioSocketServer(HangUpAtOnce);
        using var platform = new DispositionServer((200, disposition));

        var result = await RunAsync(Documented(), "100", gateway.Port, platform.Port);

        Assert.Equal((end, destination), (result.Outcome.End, result.Outcome.Destination));
        Assert.Equal("aiagent-transfer", result.Outcome.At?.Context);
    }

    [Fact]
    public async Task An_unmapped_transfer_name_reaches_the_invalid_extension()
    {
        await using var gateway = new FakeAudioSocketServer(HangUpAtOnce);
        using var platform = new DispositionServer((200, "transfer:billing"));

        var result = await RunAsync(Documented(), "100", gateway.Port, platform.Port);

        Assert.Equal(DialplanEnd.HungUp, result.Outcome.End);
        Assert.Equal(new DialplanLocation("aiagent-transfer", "i", 2), result.Outcome.At);
        Assert.Equal("billing", result.Variables["INVALID_EXTEN"]);
    }

    [Fact]
    public async Task Reconnect_comes_back_with_the_same_call_id_at_most_three_times()
    {
        await using var gateway = new FakeAudioSocketServer(HangUpAtOnce);
        using var platform = new DispositionServer((200, "reconnect"));

        var result = await RunAsync(Documented(), "100", gateway.Port, platform.Port);

        Assert.Equal("failed", result.Steps[^2].At.Label);
        Assert.Equal(DialplanEnd.HungUp, result.Outcome.End);
        Assert.Equal(4, result.Sessions.Count);
        Assert.Single(result.Sessions.Select(static s => s.Summary.CallId).Distinct());
        Assert.Equal(4, gateway.Connections.Count);
        Assert.Equal("3", result.Variables["TRIES"]);
    }

    [Fact]
    public async Task The_reconnect_loop_reaches_the_next_gateway_of_the_address_with_the_same_call_id()
    {
        // Gateway A is gone (its port refuses), B takes the connections: a Service sending them to a ready endpoint.
        var goneA = DispositionServer.FreePort();
        await using var gatewayB = new FakeAudioSocketServer(HangUpAtOnce);
        using var platform = new DispositionServer((200, "reconnect"), (200, "hangup"));
        var endpoints = new EndpointMap()
            .Add("gateway-host:8090=127.0.0.1:" + goneA + ",127.0.0.1:" + gatewayB.Port)
            .Add("platform-host", 8080, "127.0.0.1", platform.Port);

        var result = await RunAsync(Documented(), "103", endpoints);

        Assert.True(result.Outcome.End == DialplanEnd.HungUp, result.Describe());
        Assert.Equal("done", result.Outcome.At?.Label);
        Assert.Equal(2, result.Sessions.Count);
        Assert.All(result.Sessions, s => Assert.Equal($"127.0.0.1:{gatewayB.Port}", s.Summary.Target));
        Assert.Single(result.Sessions.Select(static s => s.Summary.CallId).Distinct());
        Assert.Equal(2, gatewayB.Connections.Count);
        Assert.Equal("1", result.Variables["TRIES"]);
        Assert.Equal("SUCCESS", result.Variables["TRYSTATUS"]);
        Assert.Contains(result.Log, l => l.Contains($"127.0.0.1:{goneA} did not accept", StringComparison.Ordinal));
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public async Task A_conversation_goes_on_in_the_session_the_reconnect_loop_opens_without_waiting_for_a_greeting_again()
    {
        // The first session answers one turn and then ends at a quiet moment (a drained gateway); the second answers all.
        var sessions = 0;
        await using var gateway = new FakeAudioSocketServer(async c =>
        {
            if (Interlocked.Increment(ref sessions) == 1)
            {
                await FakeAgent.AnswerTurnsAsync(c, answers: 1);
                await c.SendFrameAsync(0x00, []);
                return;
            }

            await FakeAgent.AnswerTurnsAsync(c, answers: int.MaxValue);
        });
        using var platform = new DispositionServer((200, "reconnect"));
        var settings = new DialplanRunSettings
        {
            Context = "aiagent-inbound",
            Extension = "103",
            LeadingSilence = TimeSpan.FromMilliseconds(100),
            CallerSpeech = static f => CallAudio.FromSamples(FakeAgent.Tone(f, 200), f),
            Conversation = new ConversationSettings
            {
                Cycles = 2,
                GreetingWait = TimeSpan.FromSeconds(1),
                ReplyTimeout = TimeSpan.FromSeconds(2),
                ReplyQuiet = TimeSpan.FromMilliseconds(200),
                Pause = TimeSpan.FromMilliseconds(100),
            },
            Endpoints = new EndpointMap().Add("gateway-host", 8090, "127.0.0.1", gateway.Port).Add("platform-host", 8080, "127.0.0.1", platform.Port),
        };

        var result = await new DialplanInterpreter(Documented()).RunAsync(settings).WaitAsync(s_wait);

        Assert.True(result.Outcome.End == DialplanEnd.CallerHungUp, result.Describe());
        Assert.Equal(2, result.Sessions.Count);
        Assert.Single(result.Sessions.Select(static s => s.Summary.CallId).Distinct());
        var (first, second) = (result.Sessions[0].Summary, result.Sessions[1].Summary);
        Assert.Equal(CallOutcome.ServerHangupFrame, first.Outcome);
        Assert.Equal(1, first.Conversation!.Answered);
        Assert.Equal(CallOutcome.CallerHangup, second.Outcome);
        Assert.Equal(2, second.Conversation!.Answered);
        Assert.False(second.Conversation.Dropped);
        // No greeting came: the first session waited the whole greeting wait before its first turn, the second did not.
        Assert.InRange(first.Conversation.Cycles[0].StartMs, 1_000, 5_000);
        Assert.InRange(second.Conversation.Cycles[0].StartMs, 0, 900);
    }

    [Fact]
    public async Task A_refused_connection_inside_TryExec_retries_after_a_pause_instead_of_hanging_up()
    {
        using var platform = new DispositionServer((200, "reconnect"));
        var settings = new DialplanRunSettings
        {
            Context = "aiagent-inbound",
            Extension = "103",
            CallerSpeech = static f => CallAudio.Silence(TimeSpan.FromMilliseconds(100), f),
            Endpoints = new EndpointMap().Add("gateway-host", 8090, "127.0.0.1", DispositionServer.FreePort()).Add("platform-host", 8080, "127.0.0.1", platform.Port),
        };

        var result = await new DialplanInterpreter(Documented()).RunAsync(settings).WaitAsync(s_wait);

        // No gateway ever accepts: six connections (the first and five retries), five Wait(1) between them, then failed.
        Assert.True(result.Outcome.End == DialplanEnd.HungUp, result.Describe());
        Assert.Equal("failed", result.Steps[^2].At.Label);
        Assert.Equal(6, result.Sessions.Count);
        Assert.All(result.Sessions, static s => Assert.Equal(CallSim.Reporting.CallOutcome.ConnectFailed, s.Summary.Outcome));
        Assert.Equal(5, result.Steps.Count(static s => s.Application == "Wait"));
        Assert.Equal("FAILED", result.Variables["TRYSTATUS"]);
        Assert.Equal("5", result.Variables["TRIES"]);
    }

    [Fact]
    public async Task TryExec_passes_a_successful_application_through_and_a_hangup_stays_a_hangup()
    {
        var plan = Plan.Parse("[c]\nexten => 1,1,TryExec(Set(X=1))\n same => n,NoOp(${TRYSTATUS})\n same => n,TryExec(Hangup())\n same => n,NoOp(after)");

        var result = await new DialplanInterpreter(plan).RunAsync(new DialplanRunSettings { Context = "c", Extension = "1" }).WaitAsync(s_wait);

        Assert.Equal("1", result.Variables["X"]);
        Assert.Contains(result.Steps, static s => s is { Application: "NoOp", Arguments: "SUCCESS" });
        Assert.Equal(DialplanEnd.HungUp, result.Outcome.End);
        Assert.DoesNotContain(result.Steps, static s => s.Arguments == "after");
    }

    [Theory]
    [InlineData(404, "Not Found")]
    [InlineData(200, "error")]
    [InlineData(200, "")]
    public async Task Anything_else_from_the_platform_hangs_up_at_failed(int status, string body)
    {
        await using var gateway = new FakeAudioSocketServer(HangUpAtOnce);
        using var platform = new DispositionServer((status, body));

        var result = await RunAsync(Documented(), "100", gateway.Port, platform.Port);

        Assert.Contains(result.Steps, static s => s.At.Label == "failed");
        Assert.Equal(DialplanEnd.HungUp, result.Outcome.End);
        Assert.Equal(body, result.Variables["NEXT"]); // the body whatever the status, as func_curl returns it
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public async Task An_unreachable_platform_is_a_curl_warning_and_an_empty_variable()
    {
        await using var gateway = new FakeAudioSocketServer(HangUpAtOnce);

        var result = await RunAsync(Documented(), "100", gateway.Port, DispositionServer.FreePort());

        Assert.Equal("", result.Variables["NEXT"]);
        Assert.Contains(result.Warnings, static w => w.Contains("func_curl", StringComparison.Ordinal));
        Assert.True(result.Ran("failed"));
    }

    [Theory]
    [InlineData("22.3.0")]
    [InlineData("21.8.0")]
    [InlineData("20.13.0")]
    public async Task Before_20_14_the_hangup_frame_hangs_the_channel_up(string version)
    {
        await using var gateway = new FakeAudioSocketServer(HangUpAtOnce);
        using var platform = new DispositionServer((200, "hangup"));
        Assert.True(AsteriskVersion.TryParse(version, out var parsed));

        var result = await RunAsync(Documented(), "100", gateway.Port, platform.Port, parsed);

        Assert.Equal(DialplanEnd.HungUp, result.Outcome.End);
        Assert.Equal("connect", result.Outcome.At?.Label);
        Assert.Contains("returns -1", result.Outcome.Detail, StringComparison.Ordinal);
        Assert.Empty(platform.Paths);
    }

    [Fact]
    public async Task App_continues_when_the_server_just_closes_but_not_before_20_14()
    {
        await using var gateway = new FakeAudioSocketServer(static c => { c.Close(); return Task.CompletedTask; });
        using var platform = new DispositionServer((200, "hangup"));

        var current = await RunAsync(Documented(), "100", gateway.Port, platform.Port);
        var old = await RunAsync(Documented(), "100", gateway.Port, platform.Port, new AsteriskVersion(22, 3));

        Assert.Equal("done", current.Outcome.At?.Label);
        Assert.Equal("connect", old.Outcome.At?.Label);
        Assert.Contains("does not notice EOF", old.Outcome.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x10, 0x00, 0x00 }, "zero-length")]
    [InlineData(new byte[] { 0x03, 0x00, 0x01, 0x35 }, "only audio and hangup")]
    public async Task A_zero_length_or_non_audio_frame_hangs_up(byte[] frame, string detail)
    {
        await using var gateway = new FakeAudioSocketServer(c => c.SendRawAsync(frame));
        using var platform = new DispositionServer((200, "hangup"));

        var result = await RunAsync(Documented(), "100", gateway.Port, platform.Port);

        Assert.Equal(DialplanEnd.HungUp, result.Outcome.End);
        Assert.Equal("connect", result.Outcome.At?.Label);
        Assert.Contains(detail, result.Outcome.Detail, StringComparison.Ordinal);
        Assert.Empty(platform.Paths);
    }

    [Fact]
    public async Task The_UUID_variable_instead_of_the_function_fails_as_Asterisk_does()
    {
        await using var gateway = new FakeAudioSocketServer(HangUpAtOnce);
        var text = string.Join("\n", DialplanDocument.TestedBlocks(File.ReadAllText(AdminGuide.Path)).Values);
        var wrong = text.Replace("${UUID()}", "${UUID}", StringComparison.Ordinal);
        Assert.NotEqual(text, wrong);

        var result = await RunAsync(Plan.Parse(wrong), "100", gateway.Port);

        Assert.Equal(DialplanEnd.HungUp, result.Outcome.End);
        Assert.Equal("connect", result.Outcome.At?.Label);
        Assert.Contains("UUID is required", result.Outcome.Detail, StringComparison.Ordinal);
        Assert.Equal("", result.Variables["CALLID"]);
        Assert.Empty(gateway.Connections);
    }

    [Fact]
    public async Task AudioSocket_before_Answer_connects_sends_no_UUID_and_hangs_up()
    {
        await using var gateway = new FakeAudioSocketServer(HangUpAtOnce);
        var plan = Plan.Parse("[aiagent-inbound]\nexten => 1,1,AudioSocket(${UUID()},gateway-host:8090)\n same => n,NoOp(after)");

        var result = await RunAsync(plan, "1", gateway.Port);

        Assert.Contains("Channel is not answered", result.Outcome.Detail, StringComparison.Ordinal);
        var connection = await gateway.FirstConnection.WaitAsync(s_wait);
        await connection.Eof.WaitAsync(s_wait);
        Assert.Empty(connection.Frames);
    }

    [Fact]
    public async Task Dial_with_g_continues_with_DIALSTATUS_ANSWER_and_speaks_slin16()
    {
        await using var gateway = new FakeAudioSocketServer(HangUpAtOnce);
        using var platform = new DispositionServer((200, "hangup"));

        var result = await RunAsync(Documented(), "101", gateway.Port, platform.Port);

        Assert.Equal("done", result.Outcome.At?.Label);
        Assert.Equal(("ANSWER", "16"), (result.Variables["DIALSTATUS"], result.Variables["HANGUPCAUSE"]));
        Assert.All((await gateway.FirstConnection).Frames.Skip(1), static f => Assert.Equal((0x12, 640), (f.Kind, f.Payload.Length)));
    }

    [Fact]
    public async Task Dial_without_g_hangs_up_with_the_AudioSocket_channel()
    {
        await using var gateway = new FakeAudioSocketServer(HangUpAtOnce);
        using var platform = new DispositionServer((200, "hangup"));
        var plan = Plan.Parse("[aiagent-inbound]\nexten => 1,1,Answer()\n same => n,Dial(AudioSocket/gateway-host:8090/${UUID()}/c(slin16))\n same => n,NoOp(never)");

        var result = await RunAsync(plan, "1", gateway.Port, platform.Port);

        Assert.Equal(DialplanEnd.HungUp, result.Outcome.End);
        Assert.Equal(2, result.Outcome.At?.Priority);
        Assert.Contains("without Dial's g option", result.Outcome.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dial_before_rate_labels_sends_640_byte_frames_labelled_0x10()
    {
        await using var gateway = new FakeAudioSocketServer(HangUpAtOnce);
        using var platform = new DispositionServer((200, "hangup"));

        var result = await RunAsync(Documented(), "101", gateway.Port, platform.Port, new AsteriskVersion(22, 6));

        Assert.Equal("done", result.Outcome.At?.Label);
        Assert.All((await gateway.FirstConnection).Frames.Skip(1), static f => Assert.Equal((0x10, 640), (f.Kind, f.Payload.Length)));
    }

    [Fact]
    public async Task Dial_without_c_speaks_the_callers_first_format()
    {
        await using var gateway = new FakeAudioSocketServer(HangUpAtOnce);
        var plan = Plan.Parse("[aiagent-inbound]\nexten => 1,1,Answer()\n same => n,Dial(AudioSocket/gateway-host:8090/${UUID()},,g)\n same => n,Hangup()");

        var result = await RunAsync(plan, "1", gateway.Port, callerFormat: CallFormat.All.Single(static f => f.Name == "ulaw"));

        Assert.Equal(3, result.Outcome.At?.Priority);
        Assert.All((await gateway.FirstConnection).Frames.Skip(1), static f => Assert.Equal((0x10, 160), (f.Kind, f.Payload.Length)));
    }

    [Fact]
    public async Task Dial_to_an_unreachable_gateway_is_CHANUNAVAIL_and_goes_on()
    {
        using var platform = new DispositionServer((404, "Not Found"));

        var result = await RunAsync(Documented(), "101", DispositionServer.FreePort(), platform.Port);

        Assert.Equal("CHANUNAVAIL", result.Variables["DIALSTATUS"]);
        Assert.True(result.Ran("failed"));
    }

    [Fact]
    public async Task A_caller_who_hangs_up_first_ends_the_run()
    {
        await using var gateway = new FakeAudioSocketServer();

        var result = await RunAsync(Documented(), "100", gateway.Port, patience: TimeSpan.FromMilliseconds(200));

        Assert.Equal(DialplanEnd.CallerHungUp, result.Outcome.End);
        Assert.Equal("connect", result.Outcome.At?.Label);
    }

    [Fact]
    public async Task Dial_to_another_technology_is_recorded_not_executed()
    {
        var plan = Plan.Parse("[aiagent-inbound]\nexten => 1,1,Set(PEER=PJSIP/1000)\n same => n,Dial(${PEER}&PJSIP/1001,20)");

        var result = await RunAsync(plan, "1", 1);

        Assert.Equal(DialplanEnd.Dialled, result.Outcome.End);
        Assert.Equal("PJSIP/1000&PJSIP/1001", result.Outcome.Destination);
        Assert.Equal("dialled PJSIP/1000&PJSIP/1001 at aiagent-inbound,1,2", result.Outcome.ToString());
    }

    [Theory]
    [InlineData("exten => 1,1,Playback(hello)", "application 'Playback'", 1)]
    [InlineData("exten => 1,1(top),NoOp()\n same => n,Goto(top)", "a loop?", 1)]
    [InlineData("exten => 1,1,Set(CURLOPT(httptimeout)=5)", "writing a dialplan function", 1)]
    public async Task What_the_interpreter_cannot_run_fails_clearly(string lines, string message, int priority)
    {
        var result = await RunAsync(Plan.Parse("[aiagent-inbound]\n" + lines), "1", 1);

        Assert.Equal(DialplanEnd.Failed, result.Outcome.End);
        Assert.Contains(message, result.Outcome.Detail, StringComparison.Ordinal);
        Assert.Equal(priority, result.Outcome.At?.Priority);
    }

    [Theory]
    [InlineData("exten => 1,1,Goto(nowhere)", "must be a number > 0, or valid label")]
    [InlineData("exten => 1,1,Goto(other,1)", "sent to invalid extension but no invalid handler")]
    [InlineData("exten => 1,1,NoOp()", "Auto fallthrough")]
    [InlineData("exten => 1,1,GotoIf($[1 = 1]?3:2)\n same => n,Hangup()\n same => n,Hangup(17)", "Hangup(17)")]
    [InlineData("exten => 1,1,GotoIf($[1 = 2]?3:2)\n same => n,Hangup()\n same => n,Hangup(17)", "Hangup()")]
    [InlineData("exten => 1,1,GotoIf(0?3)\n same => n,Wait(0)\n same => n,Hangup(17)", "Hangup(17)")]
    public async Task Jumps_and_ends_like_the_pbx_loop(string lines, string detail)
    {
        var result = await RunAsync(Plan.Parse("[aiagent-inbound]\n" + lines), "1", 1);

        Assert.Equal(DialplanEnd.HungUp, result.Outcome.End);
        Assert.Contains(detail, result.Outcome.Detail, StringComparison.Ordinal);
    }
}
