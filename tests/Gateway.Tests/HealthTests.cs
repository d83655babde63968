using System.Net;

namespace AiAgent.Gateway.Tests;

[Collection(ClusterCollection.Name)]
public sealed class HealthTests(ClusterFixture fixture)
{
    [Fact]
    public async Task Live_and_ready_answer_beside_the_audiosocket_port()
    {
        await using var gateway = await GatewayHost.StartAsync(fixture, withHttp: true);
        using var http = new HttpClient { BaseAddress = gateway.HttpAddress, Timeout = TimeSpan.FromSeconds(15) };

        var live = await http.GetAsync("/health/live");
        var ready = await http.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }
}
