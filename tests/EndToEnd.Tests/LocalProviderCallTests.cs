using System.Buffers.Binary;
using System.Net.Sockets;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Simulation;

namespace AiAgent.EndToEnd.Tests;

/// <summary>One platform process for a test class, started from <paramref name="yaml"/>.</summary>
public abstract class PlatformFixture(string yaml, IReadOnlyDictionary<string, string>? environment = null) : IAsyncLifetime
{
    public PlatformProcess Platform { get; private set; } = null!;

    public async Task InitializeAsync() => Platform = await PlatformProcess.StartAsync(yaml, environment);

    public async Task DisposeAsync() => await Platform.DisposeAsync();
}

public sealed class LocalPlatformFixture() : PlatformFixture("""
    default_provider: local
    providers:
      local:
        greeting: true
        silence_ms: 600
    """,
    // DTMF digits may be a PIN, so the call logs them at Debug only: this platform shows Debug for the call grain.
    new Dictionary<string, string> { ["Logging__LogLevel__AiAgent.Grains.Calls.CallGrain"] = "Debug" });

[Collection(PlatformLanes.CallerLane)]
public sealed partial class LocalProviderCallTests(LocalPlatformFixture fixture) : IClassFixture<LocalPlatformFixture>
{
    private PlatformProcess Platform => fixture.Platform;

    [Fact]
    public async Task A_spoken_call_gets_the_greeting_and_its_echo_in_exact_frames()
    {
        var result = await AsteriskSimulator.RunCallAsync(new CallSettings
        {
            Port = Platform.AudioSocketPort,
            Audio = CallAudio.FromWav(Audio.HelloWav, CallFormat.Slin),
            Tail = TimeSpan.FromSeconds(9),
            Record = true,
        });

        var summary = result.Summary;
        Assert.True(summary.Passed, summary.Error);
        Assert.Equal(0, summary.WrongSizeFrames);
        Assert.Equal(0, summary.Violations);
        // Greeting (~5.8 s) and the echo of the 4.2 s utterance: at least 8 s of agent speech.
        Assert.True(summary.FramesReceived >= 400, $"received {summary.FramesReceived} frames");
        Assert.Equal(summary.FramesReceived * 320, result.ReceivedAudio.Length);
        await Platform.WaitForLogAsync(l => l.Contains($"Call {summary.CallId} ended (CallerHangup) on local", StringComparison.Ordinal));
        var echoLine = await Platform.WaitForLogAsync(l => l.Contains($"Call {summary.CallId}: local turn latency", StringComparison.Ordinal));
        Assert.Contains("ms", echoLine, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_slin16_call_labelled_0x12_gets_640_byte_frames()
    {
        var format = CallFormat.All.Single(f => f.Name == "slin16");
        var result = await AsteriskSimulator.RunCallAsync(new CallSettings
        {
            Port = Platform.AudioSocketPort,
            Audio = CallAudio.FromWav(Audio.HelloWav, format),
            Tail = TimeSpan.FromSeconds(6),
        });

        Assert.True(result.Summary.Passed, result.Summary.Error);
        Assert.Equal(0, result.Summary.WrongSizeFrames);
        Assert.True(result.Summary.FramesReceived >= 250, $"received {result.Summary.FramesReceived} frames");
    }

    [Fact]
    public async Task Dtmf_from_the_caller_reaches_the_call()
    {
        var result = await AsteriskSimulator.RunCallAsync(new CallSettings
        {
            Port = Platform.AudioSocketPort,
            Audio = CallAudio.Silence(TimeSpan.FromSeconds(1), CallFormat.Slin),
            Dtmf = DtmfEvent.ParseList("5@0.5,#@0.8"),
            Tail = TimeSpan.FromSeconds(1),
        });

        Assert.True(result.Summary.Passed, result.Summary.Error);
        await Platform.WaitForLogAsync(l => l.Contains($"Call {result.Summary.CallId}: DTMF #", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Malformed_input_on_one_connection_is_hung_up_and_leaves_another_call_intact()
    {
        var good = AsteriskSimulator.RunCallAsync(new CallSettings
        {
            Port = Platform.AudioSocketPort,
            Audio = CallAudio.Silence(TimeSpan.FromSeconds(3), CallFormat.Slin),
            Tail = TimeSpan.FromSeconds(1),
        });

        using var bad = new TcpClient();
        await bad.ConnectAsync("127.0.0.1", Platform.AudioSocketPort);
        var stream = bad.GetStream();
        var uuid = new byte[19];
        uuid[0] = 0x01;
        BinaryPrimitives.WriteUInt16BigEndian(uuid.AsSpan(1), 16);
        Guid.NewGuid().TryWriteBytes(uuid.AsSpan(3), bigEndian: true, out _);
        await stream.WriteAsync(uuid);
        await stream.WriteAsync(new byte[] { 0x10, 0x00, 0x03, 1, 2, 3 }); // odd-length audio
        // Read until the gateway closes (EOF): it must not keep the socket open.
        using var received = new MemoryStream();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await stream.CopyToAsync(received, timeout.Token);
        var reply = received.ToArray();
        var read = reply.Length;

        var result = await good;
        // Whatever audio came first, the bad connection ends with a hangup frame and a close.
        Assert.True(read >= 3, "the gateway must answer before closing");
        Assert.Equal(new byte[] { 0, 0, 0 }, reply.AsSpan(FindHangup(reply, read), 3).ToArray());
        Assert.True(result.Summary.Passed, result.Summary.Error);
        Assert.True(result.Summary.FramesReceived > 100);
    }

    private static int FindHangup(byte[] buffer, int length)
    {
        // Walk frames: kind, big-endian length, payload.
        var offset = 0;
        while (offset + 3 <= length)
        {
            if (buffer[offset] == 0)
            {
                return offset;
            }

            offset += 3 + BinaryPrimitives.ReadUInt16BigEndian(buffer.AsSpan(offset + 1));
        }

        throw new Xunit.Sdk.XunitException("no hangup frame before the connection closed");
    }
}
