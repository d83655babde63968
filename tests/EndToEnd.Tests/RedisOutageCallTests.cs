using System.Net;
using AiAgent.CallSim.Audio;
using AiAgent.CallSim.Simulation;
using AiAgent.Tests.Support;

namespace AiAgent.EndToEnd.Tests;

/// <summary>
/// The platform as deployed with Redis (membership and call records on one real redis-server, append-only file synced
/// on every write), and Redis killed while a call is in progress, then started again on the same port.
/// </summary>
[Collection(PlatformLanes.CallerLane)]
public sealed class RedisOutageCallTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_call_keeps_talking_through_a_redis_outage_readiness_says_degraded_and_the_record_lands_once_redis_is_back()
    {
        await using var redis = await RedisServer.StartAsync(persistent: true);
        await using var platform = await PlatformProcess.StartAsync($"""
            default_provider: local
            providers:
              local:
                greeting: true
                silence_ms: 600
            clustering:
              mode: redis
              redis: {redis.ConnectionString}
            storage:
              mode: redis
              redis: {redis.ConnectionString}
            """);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{platform.HttpPort}") };
        var callId = Guid.NewGuid();
        var calling = AsteriskSimulator.RunCallAsync(new CallSettings
        {
            CallId = callId,
            Port = platform.AudioSocketPort,
            Audio = CallAudio.FromWav(Audio.HelloWav, CallFormat.Slin),
            Tail = TimeSpan.FromSeconds(9),
        });
        await platform.WaitForLogAsync(l => l.Contains($"Call {callId} started", StringComparison.Ordinal));

        await redis.KillAsync();
        var summary = (await calling).Summary; // greeting, the caller's turn and its echo: all while Redis is down

        Assert.True(summary.Passed, summary.Error);
        Assert.Equal(0, summary.WrongSizeFrames);
        Assert.True(summary.FramesReceived >= 400, $"received {summary.FramesReceived} frames");
        var degraded = await ReadinessAsync(http, r => r.Body.Contains("call-records: Degraded", StringComparison.Ordinal)); // the hang-up's record waits
        Assert.Equal(HttpStatusCode.OK, degraded.Status); // Degraded, not Unhealthy: still ready
        Assert.StartsWith("Degraded", degraded.Body, StringComparison.Ordinal);
        Assert.Contains("redis: Degraded", degraded.Body, StringComparison.Ordinal);

        await redis.StartAgainAsync();
        await ReadinessAsync(http, r => r.Body == "Healthy");
        using var history = await http.GetAsync($"/api/calls/{callId}/history");
        var record = await history.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, history.StatusCode);
        Assert.Contains("\"state\":\"Ended\"", record, StringComparison.Ordinal);
        Assert.Contains("\"endReason\":\"CallerHangup\"", record, StringComparison.Ordinal);
        Assert.Contains("\"role\":\"agent\"", record, StringComparison.Ordinal); // the turns spoken during the outage
    }

    private static async Task<(HttpStatusCode Status, string Body)> ReadinessAsync(HttpClient http, Func<(HttpStatusCode Status, string Body), bool> until)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        var last = (Status: HttpStatusCode.ServiceUnavailable, Body: "");
        try
        {
            while (true)
            {
                using var response = await http.GetAsync("/health/ready", deadline.Token);
                last = (response.StatusCode, await response.Content.ReadAsStringAsync(deadline.Token));
                if (until(last))
                {
                    return last;
                }

                await Task.Delay(100, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"readiness never matched within {Deadline.TotalSeconds} s; last: {last.Status} {last.Body}");
        }
    }
}
