using System.Buffers.Binary;
using System.Net.Sockets;
using AiAgent.Tests.Support;
using Xunit.Abstractions;

namespace AiAgent.Gateway.Tests;

/// <summary>
/// Random and mutated byte streams thrown at a running gateway over real TCP while a healthy call runs beside them:
/// truncated headers, huge lengths, unknown kinds, a second UUID, audio before the UUID, zero-length audio, bit flips
/// of a valid stream, and slow senders. The healthy call loses no frame, every hostile connection is closed or
/// closable, and the process keeps no memory or connection of theirs. The seed is in every failure message.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class HostileInputTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private const byte CallerByte = 0x45;
    private const int HostileConnections = 240;
    private const int AtOnce = 6;
    private static readonly TimeSpan s_hostileReadLimit = TimeSpan.FromSeconds(1.5);

    private enum Attack
    {
        RandomBytes,
        MutatedStream,
        TruncatedHeader,
        HugeLength,
        UnknownKind,
        SecondUuid,
        AudioBeforeUuid,
        ZeroLengthAudio,
        SlowHeader,
    }

    [Fact]
    public async Task A_healthy_call_loses_no_frame_while_hostile_streams_hit_the_gateway_and_none_of_them_is_kept()
    {
        var seed = Environment.TickCount;
        await using var gateway = await GatewayHost.StartAsync(fixture, new Dictionary<string, string?>
        {
            ["audiosocket:uuid_timeout_ms"] = "500", // a slow sender that never finishes its UUID frame is cut off
        });
        using var metrics = new MetricRecorder(gateway.Services);
        var healthyId = Guid.NewGuid();
        var healthy = fixture.Calls.For(healthyId);
        await using var caller = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        await caller.SendUuidAsync(healthyId);
        await healthy.Started.Task.WaitAsync(FakeAsterisk.Timeout);
        var memoryBefore = GC.GetTotalMemory(forceFullCollection: true);

        using var stop = new CancellationTokenSource();
        var healthySending = SendHealthyFramesAsync(caller, stop.Token);
        var hostileOutcomes = await RunHostileConnectionsAsync(gateway, seed);
        await stop.CancelAsync();
        var sent = await healthySending;

        // Every frame of the healthy call reached its grain once, numbered without a hole (one-way grain calls may
        // arrive out of order; the call grain puts them back by sequence), and the call is still up.
        await Waits.UntilAsync(() => healthy.Audio.Count(IsReal) >= sent, FakeAsterisk.Timeout, $"all {sent} healthy frames (seed {seed})");
        Assert.Equal(sent, healthy.Audio.Count(IsReal));
        var sequences = healthy.Audio.Select(f => f.Sequence).Order().ToList();
        Assert.Equal(Enumerable.Range(0, sequences.Count).Select(i => (long)i), sequences);
        Assert.False(healthy.HungUp.Task.IsCompleted, $"the healthy call was hung up (seed {seed})");

        // The gateway closed each hostile stream it could judge, and keeps none of them open.
        Assert.True(hostileOutcomes.ClosedByGateway > HostileConnections / 2, $"only {hostileOutcomes.ClosedByGateway} of {HostileConnections} hostile connections were closed by the gateway (seed {seed})");
        Assert.True(metrics.Sum("ai_agent_gateway_protocol_errors") > 0);
        await Waits.UntilAsync(() => metrics.Sum("ai_agent_gateway_connections_active") == 1, FakeAsterisk.Timeout, $"only the healthy connection left open (seed {seed})");

        // Nothing of theirs is retained: the managed heap is back near where it was (a generous bound for the test host's own churn).
        var grown = GC.GetTotalMemory(forceFullCollection: true) - memoryBefore;
        output.WriteLine($"seed {seed}: {sent} healthy frames; hostile closed by the gateway {hostileOutcomes.ClosedByGateway}, by us {hostileOutcomes.ClosedByUs}; "
            + $"protocol errors {metrics.Sum("ai_agent_gateway_protocol_errors")}; managed heap {grown / 1024:+#;-#;0} KB");
        Assert.True(grown < 32 * 1024 * 1024, $"the managed heap grew {grown / 1024} KB over {HostileConnections} hostile connections (seed {seed})");
    }

    /// <summary>20 ms frames at Asterisk's cadence until stopped; returns how many went out.</summary>
    private static async Task<int> SendHealthyFramesAsync(FakeAsterisk caller, CancellationToken stop)
    {
        var frame = new byte[320];
        frame.AsSpan().Fill(CallerByte);
        using var cadence = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        var sent = 0;
        try
        {
            while (await cadence.WaitForNextTickAsync(stop))
            {
                await caller.SendAudioAsync(frame);
                sent++;
            }
        }
        catch (OperationCanceledException)
        {
        }

        return sent;
    }

    private static async Task<(int ClosedByGateway, int ClosedByUs)> RunHostileConnectionsAsync(GatewayHost gateway, int seed)
    {
        var closedByGateway = 0;
        var closedByUs = 0;
        await Parallel.ForAsync(0, HostileConnections, new ParallelOptions { MaxDegreeOfParallelism = AtOnce }, async (index, _) =>
        {
            var random = new Random(HashCode.Combine(seed, index));
            var attack = (Attack)(index % Enum.GetValues<Attack>().Length);
            if (await AttackAsync(gateway, attack, random))
            {
                Interlocked.Increment(ref closedByGateway);
            }
            else
            {
                Interlocked.Increment(ref closedByUs);
            }
        });

        return (closedByGateway, closedByUs);
    }

    /// <summary>One hostile connection; true when the gateway closed it within the read limit.</summary>
    private static async Task<bool> AttackAsync(GatewayHost gateway, Attack attack, Random random)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(gateway.EndPoint);
        using var deadline = new CancellationTokenSource(s_hostileReadLimit);
        var reading = DrainUntilClosedAsync(socket, deadline.Token);
        try
        {
            if (attack == Attack.SlowHeader)
            {
                // A slowloris: the UUID frame's header one byte at a time, never finished.
                foreach (var b in new byte[] { 0x01, 0x00 })
                {
                    await socket.SendAsync(new[] { b }, SocketFlags.None, deadline.Token);
                    await Task.Delay(200, deadline.Token);
                }
            }
            else
            {
                await socket.SendAsync(Stream(attack, random), SocketFlags.None, deadline.Token);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            // The gateway may close (or reset) before everything was written: that is an answer too.
        }

        return await reading;
    }

    /// <summary>Reads and discards until the peer closes (true) or the deadline passes (false).</summary>
    private static async Task<bool> DrainUntilClosedAsync(Socket socket, CancellationToken deadline)
    {
        var buffer = new byte[4096];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, deadline) > 0)
            {
            }

            return true;
        }
        catch (SocketException)
        {
            return true; // reset by the gateway
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static byte[] Stream(Attack attack, Random random)
    {
        var uuid = Frame(0x01, Guid.NewGuid().ToByteArray(bigEndian: true));
        return attack switch
        {
            Attack.RandomBytes => RandomBytes(random, random.Next(1, 4096)),
            Attack.MutatedStream => Mutate(ValidStream(uuid), random),
            Attack.TruncatedHeader => [.. uuid, 0x10, 0x01],
            Attack.HugeLength => [.. uuid, 0x10, 0xFF, 0xFF, .. RandomBytes(random, random.Next(0, 512))],
            Attack.UnknownKind => [.. uuid, (byte)random.Next(0x02, 0x10), 0x00, 0x02, 0xAB, 0xCD],
            Attack.SecondUuid => [.. uuid, .. Frame(0x10, new byte[320]), .. Frame(0x01, Guid.NewGuid().ToByteArray(bigEndian: true))],
            Attack.AudioBeforeUuid => [.. Frame(0x10, new byte[320]), .. uuid],
            Attack.ZeroLengthAudio => [.. uuid, .. Frame(0x10, new byte[320]), 0x10, 0x00, 0x00],
            _ => throw new ArgumentOutOfRangeException(nameof(attack)),
        };
    }

    /// <summary>A well-formed call's first frames: UUID, half a second of audio, a DTMF digit.</summary>
    private static byte[] ValidStream(byte[] uuid)
    {
        var frames = new List<byte>(uuid);
        for (var i = 0; i < 25; i++)
        {
            frames.AddRange(Frame(0x10, new byte[320]));
        }

        frames.AddRange(Frame(0x03, [(byte)'5']));
        return [.. frames];
    }

    /// <summary>A few random edits of <paramref name="stream"/>: flipped bits, overwritten or inserted bytes, a cut.</summary>
    private static byte[] Mutate(byte[] stream, Random random)
    {
        var bytes = new List<byte>(stream);
        for (var edits = random.Next(1, 6); edits > 0 && bytes.Count > 0; edits--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: bytes[at] = (byte)random.Next(256); break;
                case 2: bytes.InsertRange(at, RandomBytes(random, random.Next(1, 8))); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
        }

        return [.. bytes];
    }

    private static byte[] Frame(byte kind, byte[] payload)
    {
        var frame = new byte[3 + payload.Length];
        frame[0] = kind;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(1), (ushort)payload.Length);
        payload.CopyTo(frame, 3);
        return frame;
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static bool IsReal((long Sequence, byte[] Audio, long ReceivedAt) frame) => frame.Audio.AsSpan().IndexOfAnyExcept(CallerByte) < 0;
}
