using System.Net;
using System.Net.Sockets;

namespace AiAgent.EndToEnd.Tests;

/// <summary>
/// The silo started as an operator starts it, with a setting it cannot use or a port another process holds: the reason
/// on standard error and exit code 1, not an unhandled-exception abort (exit code 134).
/// </summary>
public sealed class StartupFailureTests
{
    private const string Yaml = "default_provider: local\n";

    [Fact]
    public async Task An_invalid_value_is_named_and_the_silo_exits_with_code_1()
    {
        await using var platform = PlatformProcess.Launch(Yaml, settings: "--audiosocket:caller_frames_per_message=9");

        var log = await ExitLogAsync(platform);
        Assert.Contains("Invalid configuration:\n  audiosocket.caller_frames_per_message: 9 must be between 1 and 5", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_setting_is_named_and_the_silo_exits_with_code_1()
    {
        await using var platform = PlatformProcess.Launch(Yaml, settings: "--audiosocket:prot=9000");

        var log = await ExitLogAsync(platform);
        Assert.Contains("Invalid configuration:", log, StringComparison.Ordinal);
        Assert.Contains("'--audiosocket:prot'", log, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("audiosocket:port", "audiosocket.port: 127.0.0.1:{0} is already in use")]
    [InlineData("silo:http_port", "Failed to bind to address http://127.0.0.1:{0}: address already in use.")]
    public async Task A_taken_port_is_named_and_the_silo_exits_with_code_1(string key, string reason)
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var port = ((IPEndPoint)holder.LocalEndpoint).Port;
        await using var platform = PlatformProcess.Launch(Yaml, settings: $"--{key}={port}");

        var log = await ExitLogAsync(platform);
        Assert.Contains($"{HostProcess.PortTaken} (by another process, or another instance of this one):\n  {string.Format(reason, port)}", log, StringComparison.Ordinal);
        Assert.Contains($"{key.Replace(':', '.')} {port}", log, StringComparison.Ordinal);
    }

    /// <summary>Waits for the exit; asserts code 1 and no abort; returns the log with \n line ends.</summary>
    private static async Task<string> ExitLogAsync(PlatformProcess platform)
    {
        Assert.True(await platform.WaitForExitAsync(TimeSpan.FromSeconds(60)), "the silo is still running");
        var log = platform.Log.ReplaceLineEndings("\n");
        Assert.True(platform.ExitCode == 1, $"exit code {platform.ExitCode}:\n{log}");
        Assert.DoesNotContain("Unhandled exception", log, StringComparison.Ordinal);
        return log;
    }
}
