using AiAgent.CallSim.Dialplan;

namespace AiAgent.CallSim.Tests.Dialplan;

public sealed class EndpointMapTests
{
    [Fact]
    public void A_name_maps_to_several_targets_in_order_and_unmapped_names_stay_as_written()
    {
        var map = new EndpointMap().Add("gateway-host:8090=127.0.0.1:9001, [::1]:9002").Add("platform-host:8080=10.0.0.5:80");

        Assert.Equal([("127.0.0.1", 9001), ("::1", 9002)], map.ResolveAll("GATEWAY-HOST", 8090));
        Assert.Equal(("127.0.0.1", 9001), map.Resolve("gateway-host", 8090));
        Assert.Equal([("other", 1)], map.ResolveAll("other", 1));
        Assert.Equal(["http://10.0.0.5/api/calls/x/disposition"], map.ResolveAll(new Uri("http://platform-host:8080/api/calls/x/disposition")).Select(static u => u.ToString()));
    }

    [Theory]
    [InlineData("gateway-host:8090")]
    [InlineData("gateway-host:8090=")]
    [InlineData("gateway-host:8090=127.0.0.1:9001,")]
    [InlineData("gateway-host:8090=127.0.0.1:9001,nohost")]
    [InlineData("gateway-host=127.0.0.1:9001")]
    public void A_malformed_mapping_is_refused(string mapping) =>
        Assert.Throws<FormatException>(() => new EndpointMap().Add(mapping));
}
