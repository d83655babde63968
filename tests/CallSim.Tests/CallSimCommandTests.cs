using System.Text.Json;
using AiAgent.CallSim.Cli;
using NAudio.Wave;

namespace AiAgent.CallSim.Tests;

/// <summary>The command line end to end: arguments in, exit code and printed summary out.</summary>
public sealed class CallSimCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("callsim-cli-").FullName;

    [Fact]
    public async Task EchoCallPassesPrintsJsonAndWritesTheReply()
    {
        await using var server = new FakeAudioSocketServer(echo: true);
        var wav = WriteTone("in.wav", 22_050, seconds: 0.3);
        var reply = Path.Combine(_directory, "reply.wav");

        var (exit, output, error) = await RunAsync(
            "--wav", wav, "--out", reply, "--port", server.Port.ToString(), "--leading-silence", "0.1", "--tail", "0.3", "--json");

        Assert.True(exit == 0, error + output);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("passed").GetBoolean());
        Assert.Equal("CallerHangup", json.RootElement.GetProperty("outcome").GetString());
        Assert.True(json.RootElement.GetProperty("framesReceived").GetInt32() > 0);
        Assert.Equal(0, json.RootElement.GetProperty("wrongSizeFrames").GetInt32());
        using var recorded = new WaveFileReader(reply);
        Assert.Equal(8000, recorded.WaveFormat.SampleRate);
        Assert.True(recorded.Length > 0);
    }

    [Fact]
    public async Task AViolationGivesExitCodeOne()
    {
        await using var server = new FakeAudioSocketServer(onUuid: c => c.SendFrameAsync(0x03, "5"u8));
        var wav = WriteTone("in.wav", 8000, seconds: 0.2);

        var (exit, output, _) = await RunAsync("--wav", wav, "--port", server.Port.ToString(), "--tail", "10");

        Assert.Equal(CallSimCommand.Failed, exit);
        Assert.Contains("protocol violations  1", output, StringComparison.Ordinal);
        Assert.Contains("0x03 (DTMF)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ManyCallsPrintAggregateFigures()
    {
        await using var server = new FakeAudioSocketServer(echo: true);
        var wav = WriteTone("in.wav", 16_000, seconds: 0.2);

        var (exit, output, error) = await RunAsync(
            "--wav", wav, "--port", server.Port.ToString(), "--calls", "3", "--ramp", "0.1", "--tail", "0.3", "--json");

        Assert.True(exit == 0, error + output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(3, json.RootElement.GetProperty("calls").GetInt32());
        Assert.Equal(3, json.RootElement.GetProperty("passed").GetInt32());
        Assert.True(json.RootElement.GetProperty("gaps").GetProperty("count").GetInt32() > 0);
    }

    [Theory]
    [InlineData("--format", "mp3", "--format")]
    [InlineData("--wav", "/nonexistent/x.wav", "x.wav")]
    public async Task BadInputGivesExitCodeTwoAndNamesTheProblem(string option, string value, string named)
    {
        var (exit, _, error) = await RunAsync(option, value);

        Assert.Equal(CallSimCommand.BadInput, exit);
        Assert.Contains(named, error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CallSimCommand.RunAsync(args, output, error, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return (exit, output.ToString(), error.ToString());
    }

    private string WriteTone(string name, int sampleRate, double seconds)
    {
        var path = Path.Combine(_directory, name);
        using var writer = new WaveFileWriter(path, new WaveFormat(sampleRate, 16, 1));
        for (var i = 0; i < (int)(sampleRate * seconds); i++)
        {
            writer.WriteSample(0.3f * MathF.Sin(2 * MathF.PI * 300 * i / sampleRate));
        }

        return path;
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
