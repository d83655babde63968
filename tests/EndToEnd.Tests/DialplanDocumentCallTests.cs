using System.Net.Http.Json;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Dialplan;
using Plan = AiAgent.CallSim.Dialplan.Dialplan;

namespace AiAgent.EndToEnd.Tests;

/// <summary>
/// The local provider ending every call after one caller turn, so the platform sends <c>00 00 00</c> and serves
/// the <c>hangup</c> disposition; no greeting, to keep each call short.
/// </summary>
public sealed class DispositionPlatformFixture() : PlatformFixture("""
    default_provider: local
    providers:
      local:
        greeting: false
        silence_ms: 600
        end_call_after_turns: 1
    """);

/// <summary>
/// The dialplans of docs/asterisk.md, read from the file and run by CallSim's dialplan interpreter against the real
/// platform: real AudioSocket calls to the gateway, real <c>CURL()</c> requests to the disposition endpoint. The
/// dialplan text is used exactly; only the host names resolve to this platform's ports (as /etc/hosts would).
/// </summary>
[Collection(PlatformLanes.CallerLane)]
public sealed class DialplanDocumentCallTests(DispositionPlatformFixture fixture) : IClassFixture<DispositionPlatformFixture>
{
    private static readonly TimeSpan s_callTimeout = TimeSpan.FromSeconds(60);

    private PlatformProcess Platform => fixture.Platform;

    [Theory]
    [InlineData("100", "app-disposition")]
    [InlineData("101", "dial-disposition")]
    public async Task The_agent_ending_the_call_reaches_the_hangup_branch(string exten, string block)
    {
        var result = await RunAsync(Documented(), exten, SpeakOnce);

        Assert.True(result.Outcome.End == DialplanEnd.HungUp, result.Describe());
        Assert.True(result.Outcome.At?.Label == "done", result.Describe() + PlatformLogOf(result));
        Assert.Equal("hangup", result.Variables["NEXT"]);
        Assert.Empty(result.Warnings);
        Assert.Contains(result.Steps, s => s.Application.StartsWith(exten == "100" ? "AudioSocket" : "Dial", StringComparison.Ordinal));
        var session = Assert.Single(result.Sessions).Summary;
        Assert.Equal(CallSim.Reporting.CallOutcome.ServerHangupFrame, session.Outcome);
        Assert.True(session.FramesReceived > 0, $"{block}: no agent audio before the hangup");
        Assert.Equal(0, session.Violations);
        if (exten == "101")
        {
            Assert.Equal("ANSWER", result.Variables["DIALSTATUS"]);
            Assert.Equal("16", result.Variables["HANGUPCAUSE"]);
        }
    }

    [Fact]
    public async Task An_operator_transfer_reaches_the_sales_destination()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Platform.HttpPort}") };
        var ended = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = RunAsync(Documented(), "100", Silent, onStarted: callId => _ = Task.Run(async () =>
        {
            try
            {
                await Platform.WaitForLogAsync(l => l.Contains($"Call {callId} started", StringComparison.Ordinal));
                ended.TrySetResult(await http.PostAsJsonAsync($"/api/calls/{callId}/end", new { disposition = "transfer:sales" }));
            }
            catch (Exception ex)
            {
                ended.TrySetException(ex);
            }
        }));

        var result = await run;
        using var response = await ended.Task;

        Assert.True(response.IsSuccessStatusCode, $"POST /end: {(int)response.StatusCode}");
        Assert.True(result.Outcome.End == DialplanEnd.Dialled, result.Describe());
        Assert.Equal("PJSIP/sales-desk", result.Outcome.Destination);
        Assert.Equal(new DialplanLocation("aiagent-transfer", "sales", 2), result.Outcome.At);
        Assert.Equal("transfer:sales", result.Variables["NEXT"]);
    }

    [Fact]
    public async Task Dial_without_g_hangs_up_after_the_AudioSocket_channel()
    {
        var documented = DocumentedText();
        var withoutG = documented.Replace("/c(slin16),,g)", "/c(slin16))", StringComparison.Ordinal);
        Assert.NotEqual(documented, withoutG);

        var result = await RunAsync(Plan.Parse(withoutG), "101", SpeakOnce);

        Assert.True(result.Outcome.End == DialplanEnd.HungUp, result.Describe());
        Assert.True(result.Outcome.At?.Label == "connect", result.Describe());
        Assert.Contains("without Dial's g option", result.Outcome.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Steps, static s => s.Arguments.StartsWith("NEXT=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_UUID_variable_instead_of_the_function_fails_before_any_connection()
    {
        var documented = DocumentedText();
        var wrong = documented.Replace("${UUID()}", "${UUID}", StringComparison.Ordinal);
        Assert.NotEqual(documented, wrong);
        var startedBefore = Platform.CountLog(static l => l.Contains("started on local", StringComparison.Ordinal));

        var result = await RunAsync(Plan.Parse(wrong), "100", SpeakOnce);

        Assert.True(result.Outcome.End == DialplanEnd.HungUp, result.Describe());
        Assert.True(result.Outcome.At?.Label == "connect", result.Describe());
        Assert.Contains("UUID is required", result.Outcome.Detail, StringComparison.Ordinal);
        Assert.Empty(result.Sessions);
        Assert.Equal(startedBefore, Platform.CountLog(static l => l.Contains("started on local", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Before_22_4_the_call_just_hangs_up_with_no_branch()
    {
        var result = await RunAsync(Documented(), "100", SpeakOnce, new AsteriskVersion(22, 3));

        Assert.True(result.Outcome.End == DialplanEnd.HungUp, result.Describe());
        Assert.True(result.Outcome.At?.Label == "connect", result.Describe());
        Assert.Equal(CallSim.Reporting.CallOutcome.ServerHangupFrame, Assert.Single(result.Sessions).Summary.Outcome);
        Assert.DoesNotContain(result.Steps, static s => s.Arguments.StartsWith("NEXT=", StringComparison.Ordinal));
        Assert.False(result.Variables.ContainsKey("NEXT"));
    }

    /// <summary>The platform's log lines about the run's calls, for a failure message.</summary>
    private string PlatformLogOf(DialplanRunResult result)
    {
        var ids = result.Sessions.Select(static s => s.Summary.CallId).Distinct().ToArray();
        var lines = Platform.Log.Split(Environment.NewLine).Where(l => ids.Any(id => l.Contains(id, StringComparison.OrdinalIgnoreCase)));
        return $"{Environment.NewLine}platform log of call {string.Join(", ", ids)}:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}";
    }

    /// <summary>One short caller turn: the first 1.5 s of the speech asset, in the session's format.</summary>
    private static CallAudio SpeakOnce(CallFormat format)
    {
        var speech = CallAudio.FromWav(Audio.HelloWav, format);
        return CallAudio.FromSamples(
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(speech.Bytes.Span[..(int)(format.BytesPerSecond * 1.5)]), format);
    }

    private static CallAudio Silent(CallFormat format) => CallAudio.Silence(TimeSpan.FromSeconds(0.5), format);

    private static string DocumentedText()
    {
        var blocks = DialplanDocument.TestedBlocks(File.ReadAllText(AdminGuidePath));
        foreach (var name in new[] { "app-disposition", "dial-disposition", "transfer-destinations" })
        {
            Assert.True(blocks.ContainsKey(name), $"docs/asterisk.md has no block marked <!-- tested: {name} -->");
        }

        return string.Join("\n", blocks.Values);
    }

    private static Plan Documented() => Plan.Parse(DocumentedText());

    private async Task<DialplanRunResult> RunAsync(
        Plan plan, string exten, Func<CallFormat, CallAudio> speech, AsteriskVersion? version = null, Action<Guid>? onStarted = null)
    {
        using var cts = new CancellationTokenSource(s_callTimeout);
        var result = await new DialplanInterpreter(plan).RunAsync(new DialplanRunSettings
        {
            Context = "aiagent-inbound",
            Extension = exten,
            Version = version ?? AsteriskVersion.Default,
            CallerSpeech = speech,
            CallerPatience = TimeSpan.FromSeconds(20),
            Endpoints = new EndpointMap()
                .Add("gateway-host", 8090, "127.0.0.1", Platform.AudioSocketPort)
                .Add("platform-host", 8080, "127.0.0.1", Platform.HttpPort),
            CurlTimeout = TimeSpan.FromSeconds(10),
            OnAudioSocketStarted = onStarted,
        }, cts.Token);
        return result;
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
