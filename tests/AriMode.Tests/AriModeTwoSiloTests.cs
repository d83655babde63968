namespace AiAgent.AriMode.Tests;

/// <summary>Two silos, each running the ARI connection service: one events connection, one bridge per caller, takeover.</summary>
public sealed class AriModeTwoSiloTests : IAsyncLifetime
{
    private AriCluster _ari = null!;

    public async Task InitializeAsync()
    {
        _ari = await AriCluster.StartAsync(silos: 2);
        await Waits.UntilAsync(() => _ari.Emulator.IsRegistered(AriCluster.App), what: "the lease holder's events connection");
    }

    public async Task DisposeAsync() => await _ari.DisposeAsync();

    [Fact]
    public async Task Two_silos_never_both_bridge_a_call_and_the_other_takes_over_when_the_holder_stops()
    {
        Assert.Single(_ari.Services, s => s.IsHolder);
        for (var i = 0; i < 4; i++)
        {
            await BridgeAndHangUpAsync();
        }

        Assert.Equal(1, _ari.Emulator.OpenEventConnections);
        Assert.Equal(4, _ari.Emulator.BridgeRequests);
        Assert.Equal(4, _ari.Emulator.ExternalMediaRequests);

        var holder = _ari.Cluster.Silos.Single(s => _ari.Services.Single(x => x.IsHolder) == s.ServiceProvider.GetService(typeof(Grains.Asterisk.AriConnectionService)));
        var accepted = _ari.Emulator.EventConnectionsAccepted;
        await _ari.Cluster.StopSiloAsync(holder);

        await Waits.UntilAsync(() => _ari.Emulator.EventConnectionsAccepted > accepted && _ari.Emulator.OpenEventConnections == 1, what: "the other silo's events connection");
        await BridgeAndHangUpAsync();
        Assert.Equal(5, _ari.Emulator.BridgeRequests);
        Assert.Equal(5, _ari.Emulator.ExternalMediaRequests);
    }

    private async Task BridgeAndHangUpAsync()
    {
        var call = await _ari.Emulator.PlaceCallAsync(AriCluster.App);
        var callId = _ari.CallIdOf(call);
        await Waits.UntilAsync(() => _ari.Gateway.FramesFrom(callId) > 0, what: "the call bridged");
        Assert.Equal(1, _ari.Emulator.ExternalMediaRequestsFor(callId));
        await call.HangUpAsync();
        await Waits.UntilAsync(() => _ari.NothingLeft, what: "no channel and no bridge left");
    }
}
