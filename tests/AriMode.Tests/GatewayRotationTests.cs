using AiAgent.Grains.Asterisk;

namespace AiAgent.AriMode.Tests;

public sealed class GatewayRotationTests
{
    private static readonly string[] Hosts = ["gw-a:8090", "gw-b:8090", "gw-c:8090"];

    [Fact]
    public void A_single_address_is_dialled_on_every_attempt_even_after_it_failed()
    {
        Assert.Equal(["svc:8090", "svc:8090", "svc:8090"], GatewayRotation.Plan(["svc:8090"], Guid.NewGuid(), "svc:8090", 3));
    }

    [Fact]
    public void A_redial_starts_after_the_failed_address_and_never_returns_to_it_while_there_is_another()
    {
        Assert.Equal(["gw-c:8090", "gw-a:8090", "gw-c:8090"], GatewayRotation.Plan(Hosts, Guid.NewGuid(), "gw-b:8090", 3));
        Assert.Equal(["gw-b:8090", "gw-b:8090", "gw-b:8090"], GatewayRotation.Plan(["gw-a:8090", "gw-b:8090"], Guid.NewGuid(), "GW-A:8090", 3));
    }

    [Fact]
    public void First_legs_are_spread_over_the_addresses_by_call_id_and_every_silo_picks_alike()
    {
        var firsts = Enumerable.Range(0, 300).Select(_ => Guid.NewGuid()).Select(id => (id, first: GatewayRotation.Plan(Hosts, id, null, 1)[0])).ToList();
        Assert.All(Hosts, host => Assert.InRange(firsts.Count(f => f.first == host), 50, 150));
        Assert.All(firsts, f => Assert.Equal(f.first, GatewayRotation.Plan(Hosts, f.id, null, 1)[0]));
        var (id, first) = firsts[0];
        var plan = GatewayRotation.Plan(Hosts, id, null, 3);
        Assert.Equal(Hosts.Length, plan.Distinct().Count()); // a failed first dial moves on through the list
        Assert.Equal(first, plan[0]);
    }

    [Fact]
    public void An_address_no_longer_configured_is_treated_as_a_first_leg()
    {
        var id = Guid.NewGuid();
        Assert.Equal(GatewayRotation.Plan(Hosts, id, null, 3), GatewayRotation.Plan(Hosts, id, "gone:8090", 3));
    }
}
