using System.Diagnostics;
using AiAgent.Grains.Calls;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Grains.Tests.Parts;
using AiAgent.Silo.Calls;
using AiAgent.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using AiAgent.Tests.Support;
using Orleans.TestingHost;
using Xunit.Abstractions;

namespace AiAgent.Grains.Tests;

/// <summary>
/// The call directory on a two-silo cluster: the list comes from each silo's registry (one request per silo, none per
/// call), entries expire after missed heartbeats, the newest activation of a call shows once, and a killed silo drops
/// out of the list within the per-silo timeout.
/// </summary>
public sealed class CallDirectoryTests(CallDirectoryTests.TwoSilos cluster, ITestOutputHelper output) : IClassFixture<CallDirectoryTests.TwoSilos>
{
    [Fact]
    public async Task Listing_many_live_calls_sends_no_message_to_any_call()
    {
        const int calls = 20;
        var probes = new List<CallProbe>();
        try
        {
            for (var i = 0; i < calls; i++)
            {
                probes.Add(await CallProbe.StartAsync(cluster.Client));
            }

            cluster.CallGrainCalls.Reset();
            IReadOnlyList<CallListing> listed = [];
            for (var poll = 0; poll < 3; poll++)
            {
                listed = await cluster.Directory(0).ListLiveAsync(CancellationToken.None);
            }

            Assert.Equal(0, cluster.CallGrainCalls.Count); // three polls of 20 calls: not one call grain asked
            var ours = listed.Where(l => probes.Any(p => p.CallId == l.CallId)).ToList();
            Assert.Equal(calls, ours.Count);
            var silos = cluster.Cluster.Silos.Select(s => (string?)s.SiloAddress.ToString()).ToHashSet();
            Assert.All(ours, l =>
            {
                Assert.Equal(("local", CallState.Active, "slin@8000", "test-gateway"), (l.Provider, l.State, l.Format.ToString(), l.GatewayId));
                Assert.Contains(l.Silo, silos);
                Assert.Equal(0, l.Turns);
            });

            // The counter sees call grain messages: one snapshot read counts one.
            await probes[0].Grain.GetSnapshotAsync();
            Assert.Equal(1, cluster.CallGrainCalls.Count);
        }
        finally
        {
            foreach (var probe in probes)
            {
                await probe.Grain.HangupAsync(CallEndReason.CallerHangup);
                await probe.DisposeAsync();
            }
        }

        var after = await cluster.Directory(1).ListLiveAsync(CancellationToken.None);
        Assert.DoesNotContain(after, l => probes.Any(p => p.CallId == l.CallId));
    }

    [Fact]
    public async Task An_entry_not_refreshed_for_three_heartbeats_leaves_the_list()
    {
        var beating = CallPresenceTests.Listing(Guid.NewGuid());
        var silent = CallPresenceTests.Listing(Guid.NewGuid()); // its activation vanished without withdrawing
        cluster.Registry(1).Register(beating);
        cluster.Registry(1).Register(silent);
        Assert.Contains(await ListedIdsAsync(), id => id == silent.CallId);

        for (var beat = 0; beat < CallPresence.MissedHeartbeatsBeforeExpiry; beat++)
        {
            cluster.Time.Advance(CallPresence.HeartbeatPeriod);
            cluster.Registry(1).Register(beating);
        }

        Assert.Contains(await ListedIdsAsync(), id => id == silent.CallId); // exactly three periods: still listed
        cluster.Time.Advance(TimeSpan.FromMilliseconds(1));
        var listed = await ListedIdsAsync();

        Assert.DoesNotContain(silent.CallId, listed);
        Assert.Contains(beating.CallId, listed);
        cluster.Registry(1).Withdraw(beating.CallId, beating.Epoch);
    }

    [Fact]
    public async Task A_call_restored_on_the_other_silo_shows_once_on_its_new_silo()
    {
        var callId = Guid.NewGuid();
        var old = CallPresenceTests.Listing(callId) with { Turns = 3 };
        var restored = old with { Epoch = 1, Turns = 1 };
        cluster.Registry(0).Register(old);
        cluster.Registry(1).Register(restored);
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        cluster.Registry(0).Register(old); // the old activation lingers and refreshes after the new one announced

        foreach (var asking in new[] { 0, 1 })
        {
            var row = Assert.Single(await cluster.Directory(asking).ListLiveAsync(CancellationToken.None), l => l.CallId == callId);
            Assert.Equal((1, 1, cluster.Cluster.Silos[1].SiloAddress.ToString()), (row.Epoch, row.Turns, row.Silo));
        }

        cluster.Registry(0).Withdraw(callId, 0);
        cluster.Registry(1).Withdraw(callId, 1);
    }

    [Fact]
    public async Task A_killed_silo_drops_out_of_the_list_within_the_per_silo_timeout()
    {
        await using var own = await TwoSilos.DeployAsync(new CallGrainCallCounter(), _ => TimeProvider.System);
        var survivor = CallPresenceTests.Listing(Guid.NewGuid());
        var lost = CallPresenceTests.Listing(Guid.NewGuid());
        Registry(own, 0).Register(survivor);
        Registry(own, 1).Register(lost);
        var directory = Directory(own, 0);
        Assert.Equal(2, (await directory.ListLiveAsync(CancellationToken.None)).Count(l => l.CallId == survivor.CallId || l.CallId == lost.CallId));

        var killed = own.Silos[1].SiloAddress;
        await own.KillSiloAsync(own.Silos[1]);
        var membership = own.GetSiloServiceProvider(own.Silos[0].SiloAddress).GetRequiredService<IClusterMembershipService>();
        output.WriteLine($"killed silo's status in membership at the first list: {membership.CurrentSnapshot.GetSiloStatus(killed)}");
        var clock = Stopwatch.StartNew();
        var listed = await directory.ListLiveAsync(CancellationToken.None);
        var firstList = clock.Elapsed;

        Assert.Contains(listed, l => l.CallId == survivor.CallId);
        Assert.DoesNotContain(listed, l => l.CallId == lost.CallId);
        Assert.True(firstList < CallDirectory.SiloTimeout + TimeSpan.FromSeconds(2), $"first list after the kill took {firstList.TotalMilliseconds:0} ms");
        output.WriteLine($"first list after the kill: {firstList.TotalMilliseconds:0} ms (per-silo timeout {CallDirectory.SiloTimeout.TotalMilliseconds:0} ms)");
    }

    [Fact]
    public async Task A_silo_that_stops_answering_costs_one_per_silo_timeout_and_is_left_out_until_it_answers_again()
    {
        // A silo that is dead but not yet declared dead by membership: it holds the request and never answers. Here
        // its registry's clock blocks, so its registry service hangs inside the list request.
        var clocks = new System.Collections.Concurrent.ConcurrentDictionary<SiloAddress, StallableClock>();
        await using var own = await TwoSilos.DeployAsync(new CallGrainCallCounter(), s => clocks.GetOrAdd(s.GetRequiredService<ILocalSiloDetails>().SiloAddress, _ => new StallableClock()));
        var survivor = CallPresenceTests.Listing(Guid.NewGuid());
        var stalled = CallPresenceTests.Listing(Guid.NewGuid());
        Registry(own, 0).Register(survivor);
        Registry(own, 1).Register(stalled);
        var directory = Directory(own, 0);
        var clock = clocks[own.Silos[1].SiloAddress];

        clock.Stall();
        IReadOnlyList<CallListing> listed;
        var elapsed = Stopwatch.StartNew();
        try
        {
            listed = await directory.ListLiveAsync(CancellationToken.None);
        }
        finally
        {
            clock.Resume();
        }

        Assert.Contains(listed, l => l.CallId == survivor.CallId);
        Assert.DoesNotContain(listed, l => l.CallId == stalled.CallId);
        Assert.InRange(elapsed.Elapsed, CallDirectory.SiloTimeout - TimeSpan.FromMilliseconds(100), CallDirectory.SiloTimeout + TimeSpan.FromSeconds(2));
        output.WriteLine($"list with one silo not answering: {elapsed.Elapsed.TotalMilliseconds:0} ms");

        var again = await directory.ListLiveAsync(CancellationToken.None);
        Assert.Contains(again, l => l.CallId == stalled.CallId);
    }

    [Fact]
    public async Task Two_thousand_calls_on_two_silos_list_in_one_request_per_silo()
    {
        const int perSilo = 1_000;
        var ids = new List<Guid>();
        for (var silo = 0; silo < 2; silo++)
        {
            for (var i = 0; i < perSilo; i++)
            {
                var listing = CallPresenceTests.Listing(Guid.NewGuid()) with { Turns = i, LastTurnLatencyMs = i };
                cluster.Registry(silo).Register(listing);
                ids.Add(listing.CallId);
            }
        }

        try
        {
            var directory = cluster.Directory(0);
            await directory.ListLiveAsync(CancellationToken.None); // warm-up
            var times = new List<double>();
            IReadOnlyList<CallListing> listed = [];
            for (var poll = 0; poll < 20; poll++)
            {
                var elapsed = Stopwatch.StartNew();
                listed = await directory.ListLiveAsync(CancellationToken.None);
                times.Add(elapsed.Elapsed.TotalMilliseconds);
            }

            Assert.Equal(2 * perSilo, listed.Count(l => ids.Contains(l.CallId)));
            times.Sort();
            output.WriteLine($"2,000 calls on 2 silos: list p50 {times[10]:0.0} ms, max {times[^1]:0.0} ms over 20 polls");
        }
        finally
        {
            for (var i = 0; i < ids.Count; i++)
            {
                cluster.Registry(i / perSilo).Withdraw(ids[i], 0);
            }
        }
    }

    private async Task<List<Guid>> ListedIdsAsync() =>
        [.. (await cluster.Directory(0).ListLiveAsync(CancellationToken.None)).Select(l => l.CallId)];

    private static LocalCallRegistry Registry(InProcessTestCluster cluster, int silo) =>
        cluster.GetSiloServiceProvider(cluster.Silos[silo].SiloAddress).GetRequiredService<LocalCallRegistry>();

    private static CallDirectory Directory(InProcessTestCluster cluster, int silo) =>
        cluster.GetSiloServiceProvider(cluster.Silos[silo].SiloAddress).GetRequiredService<CallDirectory>();

    /// <summary>A clock whose reads block while stalled: the registry reading it stops answering.</summary>
    private sealed class StallableClock : TimeProvider
    {
        private readonly ManualResetEventSlim _running = new(initialState: true);

        public void Stall() => _running.Reset();

        public void Resume() => _running.Set();

        public override DateTimeOffset GetUtcNow()
        {
            _running.Wait(Waits.Long);
            return base.GetUtcNow();
        }
    }

    /// <summary>Counts messages that reach any call grain on any silo.</summary>
    public sealed class CallGrainCallCounter
    {
        private int _count;

        public int Count => Volatile.Read(ref _count);

        public void Reset() => Interlocked.Exchange(ref _count, 0);

        public void Increment() => Interlocked.Increment(ref _count);
    }

    /// <summary>Two silos wired like production plus the call directory; the registries' clock is a fake one.</summary>
    public sealed class TwoSilos : IAsyncLifetime
    {
        public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

        public CallGrainCallCounter CallGrainCalls { get; } = new();

        public InProcessTestCluster Cluster { get; private set; } = null!;

        public IClusterClient Client => Cluster.Client;

        public LocalCallRegistry Registry(int silo) => CallDirectoryTests.Registry(Cluster, silo);

        public CallDirectory Directory(int silo) => CallDirectoryTests.Directory(Cluster, silo);

        public async Task InitializeAsync() => Cluster = await DeployAsync(CallGrainCalls, _ => Time);

        public async Task DisposeAsync() => await Cluster.DisposeAsync();

        /// <summary>Deploys two silos whose registries read the clock <paramref name="registryClock"/> gives each.</summary>
        public static async Task<InProcessTestCluster> DeployAsync(CallGrainCallCounter counter, Func<IServiceProvider, TimeProvider> registryClock)
        {
            var builder = new InProcessTestClusterBuilder(2);
            builder.ConfigureSilo((_, silo) =>
            {
                silo.AddAgentStorageAndStreams(new HostingOptions()).AddCallDirectory();
                silo.AddIncomingGrainCallFilter(async context =>
                {
                    if (context.InterfaceMethod?.DeclaringType == typeof(ICallGrain))
                    {
                        counter.Increment();
                    }

                    await context.Invoke();
                });
            });
            builder.ConfigureSiloHost((_, host) =>
            {
                TestClusterFixture.AddYaml(host.Configuration, TestClusterFixture.Yaml);
                host.Services.AddSingleton(s => new LocalCallRegistry(s.GetRequiredService<ILocalSiloDetails>(), registryClock(s)));
                host.Services.AddAgentGrains(host.Configuration);
            });
            builder.ConfigureClient(client => client.AddMemoryStreams(CallStreams.ProviderName));
            var cluster = builder.Build();
            await cluster.DeployAsync();
            return cluster;
        }
    }
}
