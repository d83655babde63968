using AiAgent.CallSim.Cli;

namespace AiAgent.CallSim.Tests.Dialplan;

/// <summary><c>callsim --dialplan</c> as an admin runs it: the documented dialplans, host names mapped to test servers.</summary>
public sealed class DialplanCommandTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Runs_a_documented_extension_and_prints_where_the_call_ended()
    {
        await using var gateway = new FakeAudioSocketServer(static c => c.SendFrameAsync(0x00, []));
        using var platform = new DispositionServer((200, "transfer:sales"));
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await CallSimCommand.RunAsync(
            [
                "--dialplan", AdminGuide.Path, "--context", "aiagent-inbound", "--exten", "100",
                "--map", $"gateway-host:8090=127.0.0.1:{gateway.Port}", "--map", $"platform-host:8080=127.0.0.1:{platform.Port}",
                "--patience", "5",
            ],
            output, error, CancellationToken.None).WaitAsync(s_wait);

        Assert.True(code == 0, output + error.ToString());
        Assert.Contains("AudioSocket(", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("dialled PJSIP/sales-desk", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_platform_is_exit_code_1_with_the_curl_warning()
    {
        await using var gateway = new FakeAudioSocketServer(static c => c.SendFrameAsync(0x00, []));
        using var output = new StringWriter();

        var code = await CallSimCommand.RunAsync(
            [
                "--dialplan", AdminGuide.Path, "--block", "app-disposition", "--context", "aiagent-inbound", "--exten", "100",
                "--map", $"gateway-host:8090=127.0.0.1:{gateway.Port}", "--map", "platform-host:8080=127.0.0.1:1",
            ],
            output, TextWriter.Null, CancellationToken.None).WaitAsync(s_wait);

        Assert.True(code == 1, output.ToString());
        Assert.Contains("WARNING", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("no usable disposition: hanging up", output.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--context", "aiagent-inbound", "--exten", "100")]
    [InlineData("--dialplan", "no-such-file.conf", "--context", "c", "--exten", "1")]
    [InlineData("--dialplan", "x.conf", "--context", "c", "--exten", "1", "--asterisk-version", "latest")]
    [InlineData("--dialplan", "x.conf", "--context", "c", "--exten", "1", "--caller-format", "opus")]
    [InlineData("--dialplan", "x.conf", "--context", "c", "--exten", "1", "--bogus")]
    public async Task A_bad_command_line_is_exit_code_2(params string[] args)
    {
        // Without --dialplan of its own: the admin guide, with a block it does not have.
        string[] command = args.Contains("--dialplan") ? args : ["--dialplan", AdminGuide.Path, "--block", "nope", .. args];
        using var error = new StringWriter();

        var code = await CallSimCommand.RunAsync(command, TextWriter.Null, error, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.StartsWith("callsim: ", error.ToString(), StringComparison.Ordinal);
    }
}
