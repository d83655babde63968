using System.Diagnostics;
using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Audio;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Silo.Hosting;
using AiAgent.Silo.Storage;
using AiAgent.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using Orleans.Storage;
using Orleans.TestingHost;
using StackExchange.Redis;

namespace AiAgent.Grains.Tests;

/// <summary>
/// Call records through a Redis outage, against a real redis-server that is killed and started again on the same port
/// (append-only file, fsync always, as a Redis that must lose no acknowledged write). The storage is the silo's own
/// <c>calls</c> storage, used as the call grain uses it.
/// </summary>
public sealed class RedisOutageTests : IClassFixture<PersistentRedisServerFixture>, IAsyncLifetime
{
    // After a restart the Redis client reconnects on its own backoff, then the next retry (at most MaxRetryDelay later) lands.
    private static readonly TimeSpan Landing = TimeSpan.FromSeconds(60);

    // What the writer may take beyond WriteWait on a loaded 2-core machine.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(1);

    private readonly PersistentRedisServerFixture _redis;
    private InProcessTestCluster _cluster = null!;

    public RedisOutageTests(PersistentRedisServerFixture redis) => _redis = redis;

    private IServiceProvider Silo => _cluster.GetSiloServiceProvider(_cluster.Silos[0].SiloAddress);

    private IGrainStorage Storage => Silo.GetRequiredKeyedService<IGrainStorage>(CallStorage.Name);

    private RecordStorageStatus Status => Silo.GetRequiredService<RecordStorageStatus>();

    private TimeSpan WriteWait => Silo.GetRequiredService<IOptions<RecordStorageOptions>>().Value.WriteWait;

    public async Task InitializeAsync()
    {
        await _redis.EnsureRunningAsync(); // a test that failed mid-outage leaves it down
        _cluster = await DeployAsync(_redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _redis.EnsureRunningAsync(); // the silo flushes on stop
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task Writes_while_redis_is_down_return_within_the_bound_and_the_newest_lands_once_it_is_back()
    {
        using var retries = Collect("ai_agent_record_write_retries");
        using var deferred = Collect("ai_agent_record_writes_deferred");
        using var superseded = Collect("ai_agent_record_writes_superseded");
        using var givenUp = Collect("ai_agent_record_writes_given_up");
        var callId = Guid.NewGuid();
        var state = new GrainState<CallRecord>(Record(callId, 1));
        await Storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), state);
        var beforeOutage = state.ETag;
        Assert.NotNull(beforeOutage);
        var others = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid()).ToList();
        foreach (var other in others)
        {
            await Storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(other), new GrainState<CallRecord>(Record(other, 1)));
        }

        await _redis.KillAsync();
        for (var version = 2; version <= 4; version++)
        {
            state.State = Record(callId, version);
            var writing = Stopwatch.StartNew();
            await Storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), state);
            Assert.True(writing.Elapsed < WriteWait + Slack, $"write {version} took {writing.Elapsed.TotalMilliseconds:0} ms");
        }

        Assert.Equal(beforeOutage, state.ETag); // nothing landed yet
        Assert.Equal(1, Status.Pending); // one pending write for the call: the newest
        Assert.Equal(4, Version(await ReadAsync(callId))); // a reader on this silo sees the newest (read-your-writes)
        Assert.Equal(1, Status.Snapshot().Waiting);
        var degraded = await ReadinessAsync();
        Assert.Equal(HealthStatus.Degraded, degraded.Status); // not Unhealthy: live calls go on
        Assert.Contains("1 record writes waiting for storage", degraded.Description);

        await _redis.StartAsync();
        await Waits.UntilAsync(() => Status.Pending == 0, Landing, "the pending write lands");

        Assert.NotEqual(beforeOutage, state.ETag); // the writer's state follows the write that landed
        var stored = await ReadAsync(callId);
        Assert.Equal(4, Version(stored));
        Assert.Equal(state.ETag, stored.ETag);
        Assert.Equal(0, Status.Snapshot().Waiting);
        Assert.Equal(HealthStatus.Healthy, (await ReadinessAsync()).Status);

        state.State = Record(callId, 5); // the next write continues from the landed version: no conflict
        await Storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), state);
        Assert.Equal(5, Version(await ReadAsync(callId)));
        foreach (var other in others)
        {
            Assert.Equal(1, Version(await ReadAsync(other))); // Redis restart: no record lost
        }

        Assert.Equal(3, Sum(deferred));
        Assert.Equal(2, Sum(superseded)); // 2 and 3 were replaced by 4 before they landed
        Assert.True(Sum(retries) >= 1);
        Assert.Equal(0, Sum(givenUp));
    }

    [Fact]
    public async Task A_version_conflict_is_a_fence_and_is_never_retried()
    {
        using var retries = Collect("ai_agent_record_write_retries");
        var callId = Guid.NewGuid();
        var first = new GrainState<CallRecord>(Record(callId, 1));
        await Storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), first);
        var takeover = await ReadAsync(callId); // another activation takes the call over
        takeover.State = Record(callId, 2, "taken over");
        await Storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), takeover);

        first.State = Record(callId, 3);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), first));

        Assert.Equal(0, Sum(retries));
        await Waits.UntilAsync(() => Status.Pending == 0, what: "nothing left pending");
        Assert.Equal("taken over", Text(await ReadAsync(callId)));
    }

    [Fact]
    public async Task A_takeover_found_while_retrying_drops_the_pending_write_and_the_next_write_is_fenced()
    {
        using var givenUp = Collect("ai_agent_record_writes_given_up");
        var callId = Guid.NewGuid();
        var first = new GrainState<CallRecord>(Record(callId, 1));
        await Storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), first);
        var takeover = await ReadAsync(callId);
        takeover.State = Record(callId, 2, "taken over");
        await Storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), takeover);

        await _redis.KillAsync();
        first.State = Record(callId, 3);
        await Storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), first); // deferred: no answer to tell a conflict
        await _redis.StartAsync();
        await Waits.UntilAsync(() => Status.Pending == 0, Landing, "the pending write meets the conflict");

        Assert.Equal(1, Sum(givenUp, "reason", "conflict"));
        Assert.Equal(HealthStatus.Degraded, (await ReadinessAsync()).Status); // a write was given up: reported for a while
        Assert.Equal("taken over", Text(await ReadAsync(callId))); // the pending write did not overwrite the new owner
        first.State = Record(callId, 4);
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), first));
    }

    [Fact]
    public async Task A_record_that_vanished_from_redis_is_written_again_rather_than_fenced()
    {
        using var resolved = Collect("ai_agent_record_write_conflicts_resolved");
        var callId = Guid.NewGuid();
        var state = new GrainState<CallRecord>(Record(callId, 1));
        await Storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), state);
        await using (var admin = await ConnectionMultiplexer.ConnectAsync($"{_redis.ConnectionString},allowAdmin=true"))
        {
            await admin.GetServers()[0].FlushAllDatabasesAsync(); // as a Redis restarted without persistence
        }

        state.State = Record(callId, 2);
        await Storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), state);

        Assert.Equal(1, Sum(resolved, "resolution", "record_missing"));
        var stored = await ReadAsync(callId);
        Assert.Equal(2, Version(stored));
        Assert.Equal(state.ETag, stored.ETag);
    }

    [Fact]
    public async Task A_write_whose_reply_was_lost_is_recognised_when_its_retry_meets_the_version_it_created()
    {
        await using var proxy = new RedisReplyDropper(_redis.Port);
        await using var cluster = await DeployAsync($"127.0.0.1:{proxy.Port}");
        var silo = cluster.GetSiloServiceProvider(cluster.Silos[0].SiloAddress);
        var storage = silo.GetRequiredKeyedService<IGrainStorage>(CallStorage.Name);
        using var resolved = new MetricCollector<long>(silo.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), Grains.Interfaces.Diagnostics.TelemetryNames.CallsMeter, "ai_agent_record_write_conflicts_resolved");
        var callId = Guid.NewGuid();
        var state = new GrainState<CallRecord>(Record(callId, 1));
        await storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), state);
        var before = state.ETag;

        proxy.DropNextWriteReply(); // the script runs in Redis; its reply never reaches the silo
        state.State = Record(callId, 2);
        await storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), state);
        await Waits.UntilAsync(() => silo.GetRequiredService<RecordStorageStatus>().Pending == 0, Landing, "the retried write settles");

        Assert.True(proxy.Dropped);
        Assert.Equal(1, Sum(resolved, "resolution", "own_write_landed"));
        var stored = new GrainState<CallRecord>(new CallRecord());
        await storage.ReadStateAsync(CallStorage.RecordStateName, GrainOf(callId), stored);
        Assert.Equal(2, Version(stored));
        Assert.NotEqual(before, state.ETag);
        Assert.Equal(stored.ETag, state.ETag); // adopted the version the lost write created
        state.State = Record(callId, 3);
        await storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), state); // and continues from it
    }

    [Fact]
    public async Task A_silo_stopping_during_the_outage_waits_a_bounded_time_then_gives_its_pending_writes_up()
    {
        var status = Status;
        var flush = Silo.GetRequiredService<IOptions<RecordStorageOptions>>().Value.ShutdownFlush;
        var callId = Guid.NewGuid();
        await _redis.KillAsync();
        await Storage.WriteStateAsync(CallStorage.RecordStateName, GrainOf(callId), new GrainState<CallRecord>(Record(callId, 1)));

        var stopping = Stopwatch.StartNew();
        await _cluster.StopSiloAsync(_cluster.Silos[0]);
        await Waits.UntilAsync(() => status.Snapshot().GivenUp == 1, what: "the pending write is given up");

        Assert.True(stopping.Elapsed < flush + TimeSpan.FromSeconds(10), $"stop took {stopping.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(0, status.Pending);
        Assert.Equal(0, status.Snapshot().Waiting);
    }

    private static async Task<InProcessTestCluster> DeployAsync(string redis)
    {
        var hosting = new HostingOptions { Storage = { Mode = "redis", Redis = redis } };
        return await TestClusterFixture.DeployAsync(hosting, config => TestClusterFixture.AddYaml(config, TestClusterFixture.Yaml));
    }

    private Task<HealthCheckResult> ReadinessAsync() =>
        new HealthEndpoints.CallRecordStorageHealthCheck(Status, Silo.GetRequiredService<IOptions<RecordStorageOptions>>(), TimeProvider.System)
            .CheckHealthAsync(new HealthCheckContext());

    private static GrainId GrainOf(Guid callId) => CallStorage.RecordId(callId);

    private async Task<GrainState<CallRecord>> ReadAsync(Guid callId)
    {
        var state = new GrainState<CallRecord>(new CallRecord());
        await Storage.ReadStateAsync(CallStorage.RecordStateName, GrainOf(callId), state);
        return state;
    }

    private MetricCollector<long> Collect(string instrument) =>
        new(Silo.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), Grains.Interfaces.Diagnostics.TelemetryNames.CallsMeter, instrument);

    private static long Sum(MetricCollector<long> collector, string? tag = null, string? value = null) =>
        collector.GetMeasurementSnapshot().Where(m => tag is null || Equals(m.Tags[tag], value)).Sum(m => m.Value);

    private static CallRecord Record(Guid callId, int version, string text = "turn") => new()
    {
        Snapshot = new CallSnapshot(
            callId, CallState.Active, "local", AudioFormat.Slin8, AudioFormat.Slin8, AudioFormat.Slin8,
            new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), null, null,
            new CallCounters(version, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            [version * 10.0],
            [new TranscriptLine(new DateTime(2026, 1, 1, 0, 0, version, DateTimeKind.Utc), "agent", text)],
            "gateway-1"),
    };

    private static long Version(GrainState<CallRecord> state) => state.State!.Snapshot!.Counters.FramesIn;

    private static string Text(GrainState<CallRecord> state) => state.State!.Snapshot!.Transcript[^1].Text;
}
