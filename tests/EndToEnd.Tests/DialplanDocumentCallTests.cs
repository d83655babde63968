using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Dialplan;
using Plan = AiAgent.CallSim.Dialplan.Dialplan;

namespace AiAgent.EndToEnd.Tests;

/// <summary>
/// The platform ending each call on its own: no greeting, and a caller silent for 1 s after the agent's echo is hung
/// up (idle timeout, <c>00 00 00</c>), so the dialplan sees the server end the session, as for any disposition.
/// </summary>
public sealed class DialplanPlatformFixture() : PlatformFixture("""
    default_provider: local
    audiosocket:
      idle_timeout_seconds: 1
      idle_grace_seconds: 0
    providers:
      local:
        greeting: false
        silence_ms: 600
    """);

/// <summary>
/// The dialplans of docs/asterisk.md, read from the file and run by CallSim's dialplan interpreter against the real
/// platform: real AudioSocket calls to the gateway, real <c>CURL()</c> requests to the disposition endpoint. The
/// dialplan text is used exactly; only the host names resolve to this platform's ports (as /etc/hosts would).
/// </summary>
[Collection(PlatformLanes.CallerLane)]
public sealed class DialplanDocumentCallTests(DialplanPlatformFixture fixture) : IClassFixture<DialplanPlatformFixture>
{
    private static readonly TimeSpan s_callTimeout = TimeSpan.FromSeconds(60);

    private PlatformProcess Platform => fixture.Platform;

    [Theory]
    [InlineData("100")]
    [InlineData("101")]
    public async Task The_documented_dialplan_goes_on_to_read_the_disposition_after_the_platform_ends_the_call(string exten)
    {
        var result = await RunAsync(Documented(), exten, SpeakOnce);

        var session = Assert.Single(result.Sessions).Summary;
        Assert.Equal(CallSim.Reporting.CallOutcome.ServerHangupFrame, session.Outcome);
        Assert.True(session.FramesReceived > 0, "no agent audio before the hangup frame");
        Assert.Equal(0, session.Violations);
        Assert.True(result.Outcome.End == DialplanEnd.HungUp, result.Describe());
        Assert.Contains(result.Steps, static s => s.Application == "Set" && s.Arguments.StartsWith("NEXT=", StringComparison.Ordinal));
        Assert.True(result.Variables.ContainsKey("NEXT"), result.Describe());
        if (exten == "101")
        {
            Assert.Equal("ANSWER", result.Variables["DIALSTATUS"]);
            Assert.Equal("16", result.Variables["HANGUPCAUSE"]);
        }
    }

    [Fact]
    public async Task Dial_without_g_hangs_up_after_the_AudioSocket_channel()
    {
        var documented = DocumentedText();
        var withoutG = documented.Replace("/c(slin16),,g)", "/c(slin16))", StringComparison.Ordinal);
        Assert.NotEqual(documented, withoutG);

        var result = await RunAsync(Plan.Parse(withoutG), "101", SpeakOnce);

        Assert.True(result.Outcome.End == DialplanEnd.HungUp, result.Describe());
        Assert.Equal("connect", result.Outcome.At?.Label);
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
        Assert.Equal("connect", result.Outcome.At?.Label);
        Assert.Contains("UUID is required", result.Outcome.Detail, StringComparison.Ordinal);
        Assert.Empty(result.Sessions);
        Assert.Equal(startedBefore, Platform.CountLog(static l => l.Contains("started on local", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Before_22_4_the_call_just_hangs_up_with_no_branch()
    {
        var result = await RunAsync(Documented(), "100", SpeakOnce, new AsteriskVersion(22, 3));

        Assert.True(result.Outcome.End == DialplanEnd.HungUp, result.Describe());
        Assert.Equal("connect", result.Outcome.At?.Label);
        Assert.Equal(CallSim.Reporting.CallOutcome.ServerHangupFrame, Assert.Single(result.Sessions).Summary.Outcome);
        Assert.DoesNotContain(result.Steps, static s => s.Arguments.StartsWith("NEXT=", StringComparison.Ordinal));
        Assert.False(result.Variables.ContainsKey("NEXT"));
    }

    /// <summary>One short caller turn: the first 1.5 s of the speech asset, in the session's format.</summary>
    private static CallAudio SpeakOnce(CallFormat format)
    {
        var speech = CallAudio.FromWav(Audio.HelloWav, format);
        return CallAudio.FromSamples(
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, short>(speech.Bytes.Span[..(int)(format.BytesPerSecond * 1.5)]), format);
    }

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
