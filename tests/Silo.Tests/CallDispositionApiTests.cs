using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Tests;
using AiAgent.Silo.Api;

namespace AiAgent.Silo.Tests;

/// <summary>The call disposition contract over HTTP: what the dialplan reads after <c>AudioSocket()</c> returns (docs/api.md).</summary>
[Collection(SiloCollection.Name)]
public sealed class CallDispositionApiTests(SiloHostFixture silo)
{
    [Fact]
    public async Task A_live_call_reads_reconnect_and_after_the_caller_hangs_up_reads_hangup_as_plain_text()
    {
        await using var call = await CallProbe.StartAsync(silo.Client);
        await CallScript.PlayGreetingAsync(call);

        Assert.Equal((HttpStatusCode.OK, "reconnect"), await GetDispositionAsync(call.CallId));

        await call.Grain.HangupAsync(CallEndReason.CallerHangup);

        using var response = await silo.Http.GetAsync($"/api/calls/{call.CallId}/disposition");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("hangup", await response.Content.ReadAsStringAsync()); // exactly the token: no newline for CURL() to keep
    }

    [Fact]
    public async Task An_operator_ends_a_call_with_a_transfer_and_the_dialplan_reads_it_from_the_endpoint_and_the_details()
    {
        await using var call = await CallProbe.StartAsync(silo.Client);
        await CallScript.PlayGreetingAsync(call);

        using (var end = await silo.Http.PostAsJsonAsync($"/api/calls/{call.CallId}/end", new { disposition = "transfer:sales" }))
        {
            Assert.Equal(HttpStatusCode.NoContent, end.StatusCode);
        }

        Assert.Equal((HttpStatusCode.OK, "transfer:sales"), await GetDispositionAsync(call.CallId));
        var ending = await call.NextAsync<CallEnding>();
        Assert.True(ending.DrainPlayout); // the gateway plays out what was queued before its hangup frame
        using var details = JsonDocument.Parse(await silo.Http.GetStringAsync($"/api/calls/{call.CallId}"));
        Assert.Equal("transfer:sales", details.RootElement.GetProperty("disposition").GetString());

        using var again = await silo.Http.PostAsJsonAsync($"/api/calls/{call.CallId}/end", new { disposition = "hangup" });
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal((HttpStatusCode.OK, "transfer:sales"), await GetDispositionAsync(call.CallId)); // the first end stands
    }

    [Theory]
    [InlineData("transfer:")]
    [InlineData("transfer:PJSIP/1000")]
    [InlineData("Hangup")]
    [InlineData("")]
    public async Task Ending_with_a_bad_disposition_is_400_and_the_call_goes_on(string disposition)
    {
        await using var call = await CallProbe.StartAsync(silo.Client);

        using var end = await silo.Http.PostAsJsonAsync($"/api/calls/{call.CallId}/end", new { disposition });

        Assert.Equal(HttpStatusCode.BadRequest, end.StatusCode);
        Assert.Equal(CallState.Active, (await call.Grain.GetSnapshotAsync()).State);
    }

    [Fact]
    public async Task Unknown_and_malformed_ids_get_404_unknown_and_400()
    {
        Assert.Equal((HttpStatusCode.NotFound, "unknown"), await GetDispositionAsync(Guid.NewGuid()));
        using var malformed = await silo.Http.GetAsync("/api/calls/not-a-uuid/disposition");
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        using var endUnknown = await silo.Http.PostAsJsonAsync($"/api/calls/{Guid.NewGuid()}/end", new { disposition = "hangup" });
        Assert.Equal(HttpStatusCode.NotFound, endUnknown.StatusCode);
    }

    [Fact]
    public async Task A_peer_outside_disposition_clients_is_refused_even_on_loopback_without_an_operator_token()
    {
        var (app, baseAddress, _) = await TestSilo.StartAsync("127.0.0.1", "--asterisk:disposition_clients:0=10.20.0.0/16");
        silo.KeepUntilEnd(app);
        using var http = new HttpClient { BaseAddress = baseAddress };

        using var refused = await http.GetAsync($"/api/calls/{Guid.NewGuid()}/disposition");
        using var operatorRoute = await http.GetAsync($"/api/calls/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, operatorRoute.StatusCode); // the list narrows only the disposition endpoint
    }

    [Fact]
    public void A_disposition_client_that_is_not_a_CIDR_block_stops_start_up_naming_the_key()
    {
        var ex = Assert.ThrowsAny<Exception>(() => TestSilo.StartAsync("127.0.0.1", "--asterisk:disposition_clients:0=asterisk-host").GetAwaiter().GetResult());

        Assert.Contains("asterisk.disposition_clients: 'asterisk-host' is not a CIDR block", ex.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.0.0.2", true)]
    [InlineData("::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("10.1.2.3", false)]
    [InlineData("::2", false)]
    public void The_default_list_allows_loopback_only(string address, bool allowed)
    {
        var networks = new DispositionAccessOptions().Networks();

        Assert.Equal(allowed, DispositionAccessOptions.Allows(networks, IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("10.20.4.9", true)]
    [InlineData("::ffff:10.20.255.1", true)]
    [InlineData("10.21.0.1", false)]
    [InlineData("127.0.0.1", false)]
    public void A_configured_list_replaces_the_default(string address, bool allowed)
    {
        var networks = new DispositionAccessOptions { DispositionClients = ["10.20.0.0/16"] }.Networks();

        Assert.Equal(allowed, DispositionAccessOptions.Allows(networks, IPAddress.Parse(address)));
        Assert.False(DispositionAccessOptions.Allows(networks, null));
    }

    private async Task<(HttpStatusCode, string)> GetDispositionAsync(Guid callId)
    {
        using var response = await silo.Http.GetAsync($"/api/calls/{callId}/disposition");
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
