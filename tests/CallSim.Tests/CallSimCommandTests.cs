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

    [Fact]
    public async Task AMeasuredRunWritesJsonAndMarkdownWithTheGeneratorsAndThePlatformsCost()
    {
        await using var server = new FakeAudioSocketServer(onUuid: c => FakeAgent.AnswerTurnsAsync(c, int.MaxValue));
        var wav = WriteTone("in.wav", 8000, seconds: 0.2);
        var json = Path.Combine(_directory, "out", "run.json");
        var markdown = Path.Combine(_directory, "out", "run.md");

        // The "platform" is this test process: it runs the fake server, so it has CPU time and a resident set.
        var (exit, output, error) = await RunAsync(
            "--wav", wav, "--port", server.Port.ToString(), "--calls", "2", "--cycles", "1", "--greeting-wait", "0", "--reply-quiet", "0.2",
            "--leading-silence", "0.1", "--platform-pid", Environment.ProcessId.ToString(), "--sample-seconds", "0.05", "--json-out", json, "--markdown", markdown);

        Assert.True(exit == 0, error + output);
        Assert.Contains("platform cpu", output, StringComparison.Ordinal);
        using var report = JsonDocument.Parse(File.ReadAllText(json));
        Assert.StartsWith("callsim --wav", report.RootElement.GetProperty("commandLine").GetString(), StringComparison.Ordinal);
        Assert.True(report.RootElement.GetProperty("machine").GetProperty("processorCount").GetInt32() >= 1);
        var run = report.RootElement.GetProperty("run");
        Assert.Equal(2, run.GetProperty("calls").GetInt32());
        Assert.Equal(0, run.GetProperty("lateFrames").GetInt64());
        Assert.True(run.GetProperty("callSeconds").GetDouble() > 0);
        Assert.True(run.GetProperty("generatorCpuSeconds").GetDouble() > 0);
        Assert.True(run.GetProperty("platformCpuSeconds").GetDouble() > 0);
        Assert.True(run.GetProperty("platformCpuPercentOfCorePerCall").GetDouble() > 0);
        Assert.True(run.GetProperty("platformRssMb").GetDouble() > 1);
        var trend = run.GetProperty("platformTrend");
        Assert.True(trend.GetProperty("threads").GetProperty("last").GetDouble() > 1);
        Assert.True(trend.GetProperty("openHandles").GetProperty("last").GetDouble() > 3); // at least stdin, stdout, stderr and the server's socket
        Assert.True(trend.GetProperty("samples").GetInt32() >= 2, trend.ToString()); // before and after at the least
        Assert.True(trend.GetProperty("threads").GetProperty("max").GetDouble() > 1);
        Assert.True(run.TryGetProperty("generatorGc", out var gc) && gc.GetProperty("pauseMs").GetDouble() >= 0);
        var text = File.ReadAllText(markdown);
        Assert.Contains("| platform over the run | RSS ", text, StringComparison.Ordinal);
        Assert.Contains("| generator GC | ", text, StringComparison.Ordinal);
        Assert.Contains("# CallSim load run", text, StringComparison.Ordinal);
        Assert.Contains("% of a core per live call", text, StringComparison.Ordinal);
        Assert.Contains("| late frames (> 40 ms inside a reply) | 0 in 0 calls |", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SteadyArrivalsRunTheSeededDrawThroughThePacer()
    {
        await using var server = new FakeAudioSocketServer(onUuid: c => FakeAgent.AnswerTurnsAsync(c, int.MaxValue));
        var wav = WriteTone("in.wav", 8000, seconds: 0.2);
        var expected = Simulation.ArrivalSchedule.Steady(3, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), seed: 5).Arrivals.Count;

        var (exit, output, error) = await RunAsync(
            "--wav", wav, "--port", server.Port.ToString(), "--arrival", "steady", "--calls", "3", "--hold", "1", "--run", "2", "--seed", "5",
            "--greeting-wait", "0", "--reply-quiet", "0.2", "--leading-silence", "0.1", "--json");

        Assert.True(exit == 0, error + output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("steady", json.RootElement.GetProperty("arrival").GetString());
        Assert.Equal(5, json.RootElement.GetProperty("seed").GetInt32());
        Assert.Equal(expected, json.RootElement.GetProperty("calls").GetInt32());
        Assert.Equal(expected, json.RootElement.GetProperty("passed").GetInt32());
        Assert.True(json.RootElement.GetProperty("meanLiveCalls").GetDouble() > 0);
    }

    [Fact]
    public async Task FindMaxRunsStepsAndReportsEachAsARow()
    {
        await using var server = new FakeAudioSocketServer(onUuid: c => FakeAgent.AnswerTurnsAsync(c, int.MaxValue));
        var wav = WriteTone("in.wav", 8000, seconds: 0.2);
        var markdown = Path.Combine(_directory, "max.md");

        // From 1 call to the cap of 10 (one growth step; no bisection fits between 1 and 10 rounded to tens, and a
        // failing first step cannot step below 1): at most two steps of one second each.
        var (exit, output, error) = await RunAsync(
            "--wav", wav, "--port", server.Port.ToString(), "--find-max", "--calls", "1", "--max-calls", "10", "--step-seconds", "1",
            "--greeting-wait", "0", "--reply-quiet", "0.2", "--leading-silence", "0.1", "--json", "--markdown", markdown);

        Assert.True(exit is CallSimCommand.Passed or CallSimCommand.Failed, error);
        using var report = JsonDocument.Parse(output);
        var search = report.RootElement.GetProperty("findMax");
        var steps = search.GetProperty("steps");
        Assert.InRange(steps.GetArrayLength(), 1, 2);
        Assert.Equal(1, steps[0].GetProperty("calls").GetInt32());
        Assert.False(string.IsNullOrEmpty(search.GetProperty("conclusion").GetString()));
        Assert.Contains("find-max: step 1: 1 calls", error, StringComparison.Ordinal);
        var text = File.ReadAllText(markdown);
        Assert.Contains("| N | verdict |", text, StringComparison.Ordinal);
        Assert.Contains("**Result:**", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APlatformPidThatIsNoProcessIsBadInput()
    {
        var (exit, _, error) = await RunAsync("--platform-pid", int.MaxValue.ToString(), "--calls", "2");

        Assert.Equal(CallSimCommand.BadInput, exit);
        Assert.Contains("--platform-pid", error, StringComparison.Ordinal);
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
