using System.Diagnostics;
using System.Net;
using System.Text.Json;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Dialplan;
using AiAgent.CallSim.Reporting;
using Xunit.Abstractions;
using Plan = AiAgent.CallSim.Dialplan.Dialplan;

namespace AiAgent.EndToEnd.Tests;

/// <summary>
/// The silo with its co-hosted gateway (gateway B), greeting on, the local agent ending the call after its second
/// answer. Each test adds a standalone gateway A as its own process.
/// </summary>
public sealed class GatewayFailoverPlatformFixture() : PlatformFixture("""
    default_provider: local
    gateway:
      id: gateway-b
    providers:
      local:
        greeting: true
        silence_ms: 600
        end_call_after_turns: 2
    """);

/// <summary>
/// Issue 11, dialplan mode: a call through the documented reconnect loop (docs/asterisk.md, <c>reconnect-loop</c>)
/// survives its gateway being drained (SIGTERM) or killed (SIGKILL). Real processes and sockets: gateway A is a
/// standalone gateway, gateway B the silo's own; the dialplan's gateway address lists A then B, and a connection goes
/// to the first that accepts (a Service sending new connections to a ready endpoint). The caller greets, speaks turn 1
/// on A, the event hits A, the dialplan reads <c>reconnect</c>, loops, reaches B, and turn 2 is answered by the same
/// call: re-attached at epoch 1, no new greeting, the transcript going on, and the agent's hangup after turn 2.
/// </summary>
[Collection(PlatformLanes.CallerLane)]
public sealed class GatewayFailoverCallTests(GatewayFailoverPlatformFixture fixture, ITestOutputHelper output) : IClassFixture<GatewayFailoverPlatformFixture>
{
    /// <summary>The greeting (about 5.8 s) plays out before the caller's first turn.</summary>
    private static readonly TimeSpan s_waitForGreeting = TimeSpan.FromSeconds(7);

    /// <summary>The figure of issue 11: what the caller hears between the two gateways.</summary>
    private static readonly TimeSpan s_gapLimit = TimeSpan.FromSeconds(2);

    private PlatformProcess Platform => fixture.Platform;

    [Fact]
    public async Task A_drained_gateway_ends_the_call_after_the_answer_and_the_loop_continues_it_on_another_gateway()
    {
        await using var gatewayA = await GatewayProcess.StartAsync(Platform, "gateway-a");
        var call = new LoopedCall(Platform, gatewayA);
        var run = call.RunAsync();

        // SIGTERM while the answer to turn 1 plays on A.
        var callId = await call.Started.WaitAsync(TimeSpan.FromSeconds(30));
        await Platform.WaitForLogAsync(l => l.Contains($"Call {callId}: local turn latency", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        var stopped = Stopwatch.StartNew();
        gatewayA.Terminate();
        var readiness = await ReadinessAfterStopAsync(gatewayA);
        var readyFalseAfter = stopped.Elapsed;
        var result = await run;

        Assert.True(result.Outcome.End == DialplanEnd.HungUp && result.Outcome.At?.Label == "done", result.Describe());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, readiness);
        Assert.True(readyFalseAfter < TimeSpan.FromSeconds(1), $"readiness false only {readyFalseAfter.TotalMilliseconds:0} ms after SIGTERM");
        var (onA, onB) = TwoSessions(result, gatewayA);
        Assert.Equal(CallOutcome.ServerHangupFrame, onA.Outcome);
        // A quiet moment: after the answer had played out (300 ms of agent silence), not in the middle of it.
        Assert.InRange(onA.HangupAfterLastFrameMs ?? -1, 250, 2_000);
        var quietLine = await gatewayA.WaitForLogAsync(l => l.Contains("Call ended for the drain at a quiet moment", StringComparison.Ordinal));
        await gatewayA.WaitForLogAsync(l => l.Contains("Gateway drained in", StringComparison.Ordinal) && l.Contains("1 calls ended at a quiet moment, 0 at the deadline", StringComparison.Ordinal));
        Assert.True(await gatewayA.WaitForExitAsync(TimeSpan.FromSeconds(20)), "gateway A did not exit after its drain");
        Assert.Equal(0, gatewayA.ExitCode);
        await AssertSameCallContinuedAsync(callId, onB);
        Report("drain", result, onA, onB, readyFalseAfter, quietLine);
    }

    [Fact]
    public async Task A_killed_gateway_closes_the_socket_and_the_loop_continues_the_call_on_another_gateway()
    {
        await using var gatewayA = await GatewayProcess.StartAsync(Platform, "gateway-a");
        var call = new LoopedCall(Platform, gatewayA);
        var run = call.RunAsync();

        // SIGKILL between the answer to turn 1 and turn 2 (its caller silent, the answer heard out).
        var callId = await call.Started.WaitAsync(TimeSpan.FromSeconds(30));
        await Platform.WaitForLogAsync(l => l.Contains($"Call {callId}: local turn latency", StringComparison.Ordinal), TimeSpan.FromSeconds(30));
        var answerStarted = Stopwatch.GetTimestamp() - Stopwatch.Frequency / 10; // the log line follows the answer's first frame
        await call.AgentSilentForAsync(answerStarted, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(20));
        gatewayA.Kill();
        var result = await run;

        Assert.True(result.Outcome.End == DialplanEnd.HungUp && result.Outcome.At?.Label == "done", result.Describe());
        Assert.True(await gatewayA.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        var (onA, onB) = TwoSessions(result, gatewayA);
        // The kernel closes a killed process's sockets: a FIN, or a reset when caller audio was still unread (the
        // caller streams every 20 ms, so usually). Asterisk's AudioSocket() returns 0 on the first and -1 on the
        // second, which the documented loop's TryExec() turns into TRYSTATUS=FAILED and a retry: both go on.
        Assert.Contains(onA.Outcome, (CallOutcome[])[CallOutcome.ServerClosed, CallOutcome.SocketError]);
        await AssertSameCallContinuedAsync(callId, onB);
        Report("kill", result, onA, onB, readyFalseAfter: null, quietLine: $"TRYSTATUS after A: {(onA.Outcome == CallOutcome.SocketError ? "FAILED (retried after Wait(1))" : "SUCCESS")}");
    }

    /// <summary>The first session on A, the second on B, nothing else; the dialplan read <c>reconnect</c> once, then <c>hangup</c>.</summary>
    private (CallSummary OnA, CallSummary OnB) TwoSessions(DialplanRunResult result, GatewayProcess gatewayA)
    {
        Assert.Equal(2, result.Sessions.Count);
        var onA = result.Sessions[0].Summary;
        var onB = result.Sessions[1].Summary;
        Assert.Equal($"127.0.0.1:{gatewayA.AudioSocketPort}", onA.Target);
        Assert.Equal($"127.0.0.1:{Platform.AudioSocketPort}", onB.Target);
        Assert.Equal(onA.CallId, onB.CallId);
        Assert.Equal("1", result.Variables["TRIES"]);
        Assert.Equal("hangup", result.Variables["NEXT"]);
        Assert.Contains(result.Log, static l => l.Contains("body 'reconnect'", StringComparison.Ordinal));
        Assert.Equal(CallOutcome.ServerHangupFrame, onB.Outcome);
        Assert.Equal(0, onA.Violations + onB.Violations);
        Assert.Empty(result.Warnings);
        return (onA, onB);
    }

    /// <summary>
    /// Gateway B re-attached the live call (epoch 1, no restore, no new start); B's session heard nothing before the
    /// caller's turn 2 ended (a new call would have greeted), then the answer; the record has both turns and one greeting.
    /// </summary>
    private async Task AssertSameCallContinuedAsync(Guid callId, CallSummary onB)
    {
        await Platform.WaitForLogAsync(l => l.Contains($"Call {callId} re-attached at epoch 1 to gateway gateway-b", StringComparison.Ordinal));
        await Platform.WaitForLogAsync(l => l.Contains($"Call {callId} ended (AgentHangup)", StringComparison.Ordinal));
        Assert.Equal(1, Platform.CountLog(l => l.Contains($"Call {callId} started on local", StringComparison.Ordinal)));
        Assert.Equal(0, Platform.CountLog(l => l.Contains($"Call {callId} restored", StringComparison.Ordinal)));
        Assert.True(onB.FirstSpeechMs > LoopedCall.SpeechEndMs, $"B played speech {onB.FirstSpeechMs:0} ms after connecting, before the caller's turn ended ({LoopedCall.SpeechEndMs:0} ms): a greeting?");
        Assert.NotNull(onB.ReplyAfterSpeechMs);

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Platform.HttpPort}") };
        using var history = JsonDocument.Parse(await http.GetStringAsync($"/api/calls/{callId}/history"));
        var lines = history.RootElement.GetProperty("transcript").EnumerateArray()
            .Select(static l => (Role: l.GetProperty("role").GetString(), Text: l.GetProperty("text").GetString() ?? "")).ToList();
        Assert.Single(lines, static l => l.Role == "agent" && l.Text.StartsWith("Hello", StringComparison.Ordinal));
        Assert.Contains(lines, static l => l.Role == "caller" && l.Text.StartsWith("[caller turn 1:", StringComparison.Ordinal));
        Assert.Contains(lines, static l => l.Role == "caller" && l.Text.StartsWith("[caller turn 2:", StringComparison.Ordinal));
        Assert.Equal("gateway-b", history.RootElement.GetProperty("gatewayId").GetString());
    }

    /// <summary>
    /// The gap the caller hears: from the end of the session on A (the hangup frame, or the socket closing) to B carrying
    /// the call again (its connection up, then the re-attach, measured by B: event 2375). Agent audio could not reach the
    /// caller, and caller audio could not reach the agent, for no longer than this.
    /// </summary>
    private void Report(string what, DialplanRunResult result, CallSummary onA, CallSummary onB, TimeSpan? readyFalseAfter, string? quietLine)
    {
        var endedOnA = onA.ConnectedAtUtc!.Value.AddMilliseconds(onA.DurationMs);
        var deadLineMs = (onB.ConnectedAtUtc!.Value - endedOnA).TotalMilliseconds;
        var reattachLine = Platform.Log.Split(Environment.NewLine).Last(l => l.Contains("from a new connection", StringComparison.Ordinal));
        var reattachMs = double.Parse(reattachLine.Split(" in ")[^1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        var gapMs = deadLineMs + reattachMs;
        output.WriteLine($"gateway {what}: caller-heard gap {gapMs:0} ms (no connection {deadLineMs:0} ms: dialplan CURL and connect; re-attach on B {reattachMs:0} ms)");
        output.WriteLine($"  answer wait: turn 1 on A {onA.ReplyAfterSpeechMs:0} ms, turn 2 on B {onB.ReplyAfterSpeechMs:0} ms");
        output.WriteLine(readyFalseAfter is { } ready
            ? $"  A: readiness false {ready.TotalMilliseconds:0} ms after SIGTERM; {onA.Outcome} {onA.HangupAfterLastFrameMs:0} ms after its last frame; {quietLine}"
            : $"  A: {onA.Outcome}; {quietLine}");
        output.WriteLine(result.Describe());
        Assert.True(gapMs <= s_gapLimit.TotalMilliseconds, $"the caller heard a {gapMs:0} ms gap ({deadLineMs:0} ms + {reattachMs:0} ms)");
    }

    /// <summary>Readiness of a gateway told to stop: 503 while it drains (its HTTP port stays up until the drain ends).</summary>
    private static async Task<HttpStatusCode> ReadinessAfterStopAsync(GatewayProcess gateway)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (true)
        {
            using var response = await http.GetAsync($"http://127.0.0.1:{gateway.HttpPort}/health/ready", deadline.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return response.StatusCode;
            }

            await Task.Delay(20, deadline.Token);
        }
    }

    /// <summary>One caller through the documented reconnect loop: the greeting heard, turn 1, then turn 2 on whichever gateway comes next.</summary>
    private sealed class LoopedCall(PlatformProcess platform, GatewayProcess gatewayA)
    {
        /// <summary>Turn 2 starts after 0.5 s of silence and lasts 1.5 s: no agent speech is due before it ends.</summary>
        public const double SpeechEndMs = 2_000;

        private readonly TaskCompletionSource<Guid> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _lastAgentSpeech;
        private int _sessions;

        public Task<Guid> Started => _started.Task;

        public async Task<DialplanRunResult> RunAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(50));
            var plan = Plan.Parse(DialplanDocument.TestedBlock(File.ReadAllText(AdminGuidePath), "reconnect-loop") + "\n"
                + DialplanDocument.TestedBlock(File.ReadAllText(AdminGuidePath), "transfer-destinations"));
            return await new DialplanInterpreter(plan).RunAsync(new DialplanRunSettings
            {
                Context = "aiagent-inbound",
                Extension = "103",
                CallerSpeech = Speech,
                LeadingSilence = TimeSpan.FromSeconds(0.5),
                CallerPatience = TimeSpan.FromSeconds(15),
                Endpoints = new EndpointMap()
                    .Add("gateway-host", 8090, [("127.0.0.1", gatewayA.AudioSocketPort), ("127.0.0.1", platform.AudioSocketPort)])
                    .Add("platform-host", 8080, "127.0.0.1", platform.HttpPort),
                CurlTimeout = TimeSpan.FromSeconds(10),
                OnAudioSocketStarted = id => _started.TrySetResult(id),
                OnAgentSpeech = _ => Volatile.Write(ref _lastAgentSpeech, Stopwatch.GetTimestamp()),
            }, timeout.Token);
        }

        /// <summary>
        /// Waits for agent speech after <paramref name="since"/> (a <see cref="Stopwatch"/> timestamp), then until none has
        /// arrived for <paramref name="quiet"/>: that answer has been heard out.
        /// </summary>
        public async Task AgentSilentForAsync(long since, TimeSpan quiet, TimeSpan timeout)
        {
            using var deadline = new CancellationTokenSource(timeout);
            while (Volatile.Read(ref _lastAgentSpeech) is var last && (last <= since || Stopwatch.GetElapsedTime(last) < quiet))
            {
                await Task.Delay(20, deadline.Token);
            }
        }

        /// <summary>Session 1: silence through the greeting, then 1.5 s of speech; later sessions: the speech alone.</summary>
        private CallAudio Speech(CallFormat format)
        {
            var speech = CallAudio.FromWav(Audio.HelloWav, format).Bytes.Span[..(int)(format.BytesPerSecond * 1.5)].ToArray();
            var silence = Interlocked.Increment(ref _sessions) == 1 ? new byte[(int)(format.BytesPerSecond * s_waitForGreeting.TotalSeconds) & ~1] : [];
            return CallAudio.FromSamples(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>([.. silence, .. speech]), format);
        }
    }

    private static string AdminGuidePath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var path = Path.Combine(dir.FullName, "docs", "asterisk.md");
                if (File.Exists(path))
                {
                    return path;
                }
            }

            throw new FileNotFoundException("docs/asterisk.md");
        }
    }
}
