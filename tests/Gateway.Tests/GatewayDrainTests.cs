using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using AiAgent.Gateway.AudioSocket;
using AiAgent.Grains.Interfaces.Calls;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace AiAgent.Gateway.Tests;

/// <summary>The gateway's drain on a real host (Kestrel, the AudioSocket listener, loopback TCP) against the fake call grain.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GatewayDrainTests(ClusterFixture fixture)
{
    private const byte AnswerByte = 0x33;
    private static readonly TimeSpan s_timeout = FakeAsterisk.Timeout;

    [Fact]
    public async Task Stopping_the_host_turns_readiness_false_refuses_new_connections_and_ends_the_call_after_its_answer()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture, withHttp: true);
        using var metrics = new MetricRecorder(gateway.Services);
        using var http = new HttpClient { BaseAddress = gateway.HttpAddress, Timeout = TimeSpan.FromSeconds(5) };
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        await asterisk.SendUuidAsync(callId);
        await asterisk.SendAudioAsync(new byte[320]);
        await record.Started.Task.WaitAsync(s_timeout);
        await asterisk.ReadAudioUntilAsync(f => f.Count(x => IsFilled(x, FakeCallGrain.GreetingByte)) == 10);
        var control = FakeCallGrain.Control(fixture.Cluster.Client, callId);
        await control.PublishAudioAsync(3, Filled(320 * 50, AnswerByte));
        await control.PublishUtteranceDoneAsync(3);
        var before = await asterisk.ReadAudioUntilAsync(f => f.Count(x => IsFilled(x, AnswerByte)) == 5);

        // One second of answer is playing: stop the host (as SIGTERM does) and watch it drain.
        var stopping = Stopwatch.StartNew();
        var stop = gateway.StopAsync();
        var readyStatus = await WaitForAsync(async () => (await http.GetAsync("/health/ready")).StatusCode, s => s == HttpStatusCode.ServiceUnavailable);
        var readyFalseAfter = stopping.Elapsed;
        await WaitUntilRefusedAsync(gateway.EndPoint);

        var after = await asterisk.ReadUntilClosedAsync(expectHangup: true);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyStatus);
        Assert.True(readyFalseAfter < TimeSpan.FromSeconds(1), $"readiness turned false {readyFalseAfter.TotalMilliseconds:0} ms after the stop");
        Assert.Equal(50, before.Concat(after).Count(f => IsFilled(f, AnswerByte)));
        // The detach reached the grain before the hangup frame left: the dialplan's reconnect can never overtake it.
        Assert.True(record.HungUp.Task.IsCompletedSuccessfully, "no detach before the hangup frame");
        Assert.Equal(CallEndReason.Shutdown, await record.HungUp.Task);
        await metrics.WaitForAsync("ai_agent_gateway_drained_calls", "moment", "quiet").WaitAsync(s_timeout);
        Assert.Equal(1, metrics.Sum("ai_agent_gateway_draining"));
        await stop.WaitAsync(s_timeout);
    }

    [Fact]
    public async Task A_call_never_quiet_is_ended_at_the_drain_deadline()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture, new Dictionary<string, string?> { ["gateway:drain_timeout_seconds"] = "1" });
        using var metrics = new MetricRecorder(gateway.Services);
        var callId = Guid.NewGuid();
        var record = fixture.Calls.For(callId);
        await using var asterisk = await FakeAsterisk.ConnectAsync(gateway.EndPoint);
        await asterisk.SendUuidAsync(callId);
        await asterisk.SendAudioAsync(new byte[320]);
        await record.Started.Task.WaitAsync(s_timeout);
        using var talking = new CancellationTokenSource();
        var caller = TalkAsync(asterisk, talking.Token);

        var stopping = Stopwatch.StartNew();
        var stop = gateway.StopAsync();
        await asterisk.ReadUntilClosedAsync(expectHangup: true);
        var closedAfter = stopping.Elapsed;
        await talking.CancelAsync();
        await caller;
        await stop.WaitAsync(s_timeout);

        // The caller talks without a pause (and the fake agent echoes it): only the deadline ends the call.
        Assert.InRange(closedAfter, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(5));
        Assert.Equal(CallEndReason.Shutdown, await record.HungUp.Task.WaitAsync(s_timeout));
        await metrics.WaitForAsync("ai_agent_gateway_drained_calls", "moment", "deadline").WaitAsync(s_timeout);
    }

    [Theory]
    [InlineData("60", 70)]
    [InlineData("20", 30)]
    public async Task The_host_shutdown_timeout_covers_the_drain(string drainSeconds, int atLeastSeconds)
    {
        await using var gateway = await GatewayHost.StartAsync(fixture, new Dictionary<string, string?> { ["gateway:drain_timeout_seconds"] = drainSeconds });

        var shutdown = gateway.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;

        Assert.True(shutdown >= TimeSpan.FromSeconds(atLeastSeconds), $"shutdown timeout {shutdown}");
        Assert.Equal(0, gateway.Services.GetRequiredService<GatewayDrain>().CallCount);
    }

    /// <summary>Loud caller frames every 20 ms until cancelled (or the gateway closes).</summary>
    private static async Task TalkAsync(FakeAsterisk asterisk, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await asterisk.SendAudioAsync(Filled(320, 0x45));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException)
        {
        }
    }

    /// <summary>Connects until the listener refuses (it stops accepting as the drain begins); a connection accepted before is closed.</summary>
    private static async Task WaitUntilRefusedAsync(IPEndPoint endPoint)
    {
        await WaitForAsync(async () =>
        {
            try
            {
                await using var probe = await FakeAsterisk.ConnectAsync(endPoint);
                return false;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
            {
                return true;
            }
        }, refused => refused);
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            await Task.Delay(20, timeout.Token);
        }
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();

    private static bool IsFilled(byte[] frame, byte value) => frame.AsSpan().IndexOfAnyExcept(value) < 0;
}
