using AiAgent.Grains.Interfaces.Asterisk;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;

namespace AiAgent.AriMode.Tests;

public sealed class AriLeaseGrainTests : IAsyncLifetime
{
    private static readonly FakeTimeProvider Time = new(DateTimeOffset.Parse("2026-12-02T22:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private InProcessTestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSiloHost((_, host) => host.Services.AddSingleton<TimeProvider>(Time));
        _cluster = builder.Build();
        await _cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    private IAriLeaseGrain Lease() => _cluster.Client.GetGrain<IAriLeaseGrain>(Guid.NewGuid().ToString());

    [Fact]
    public async Task A_held_lease_is_refused_to_another_holder_until_it_expires()
    {
        var lease = Lease();
        Assert.True(await lease.TryAcquireAsync("a", TimeSpan.FromSeconds(6)));
        Assert.False(await lease.TryAcquireAsync("b", TimeSpan.FromSeconds(6)));
        Time.Advance(TimeSpan.FromSeconds(5));
        Assert.True(await lease.TryAcquireAsync("a", TimeSpan.FromSeconds(6))); // renewal extends it
        Time.Advance(TimeSpan.FromSeconds(5));
        Assert.False(await lease.TryAcquireAsync("b", TimeSpan.FromSeconds(6)));
        Assert.Equal("a", await lease.GetHolderAsync());
        Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await lease.GetHolderAsync());
        Assert.True(await lease.TryAcquireAsync("b", TimeSpan.FromSeconds(6)));
        Assert.False(await lease.TryAcquireAsync("a", TimeSpan.FromSeconds(6)));
    }

    [Fact]
    public async Task A_released_lease_goes_to_the_next_holder_at_once_and_only_its_holder_can_release_it()
    {
        var lease = Lease();
        Assert.True(await lease.TryAcquireAsync("a", TimeSpan.FromSeconds(6)));
        await lease.ReleaseAsync("b");
        Assert.False(await lease.TryAcquireAsync("b", TimeSpan.FromSeconds(6)));
        await lease.ReleaseAsync("a");
        Assert.Null(await lease.GetHolderAsync());
        Assert.True(await lease.TryAcquireAsync("b", TimeSpan.FromSeconds(6)));
    }
}
