using System.Net;
using System.Text.Json;
using AiAgent.Grains.Interfaces.Calls;
using AiAgent.Grains.Tests;
using Microsoft.Extensions.DependencyInjection;

namespace AiAgent.Silo.Tests;

[Collection(SiloCollection.Name)]
public sealed class CallApiTests(SiloHostFixture silo)
{
    [Fact]
    public async Task Live_call_is_listed_and_described_then_its_history_is_served_after_hangup()
    {
        await using var call = await CallProbe.StartAsync(silo.Client);
        await CallScript.PlayGreetingAsync(call);
        await CallScript.TakeTurnAsync(call);
        var snapshot = await call.WaitForSnapshotAsync(s => s.TurnLatenciesMs.Count == 1 && s.Transcript.Any(l => l.Role == "agent"));

        using var list = await GetJsonAsync("/api/calls");
        var row = Assert.Single(list.RootElement.EnumerateArray(), c => c.GetProperty("callId").GetGuid() == call.CallId);
        Assert.Equal("local", row.GetProperty("provider").GetString());
        Assert.Equal("Active", row.GetProperty("state").GetString());
        Assert.Equal(1, row.GetProperty("turns").GetInt32());
        Assert.Equal(snapshot.TurnLatenciesMs[0], row.GetProperty("lastTurnLatencyMs").GetDouble());
        Assert.True(row.GetProperty("durationSeconds").GetDouble() >= 0);
        Assert.Equal("slin@8000", row.GetProperty("format").GetString());
        Assert.Equal("test-gateway", row.GetProperty("gatewayId").GetString());
        Assert.Equal(silo.App.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString(), row.GetProperty("silo").GetString());
        Assert.True(row.GetProperty("lastSeenUtc").GetDateTime() >= row.GetProperty("startedAtUtc").GetDateTime());

        using var details = await GetJsonAsync($"/api/calls/{call.CallId}");
        var d = details.RootElement;
        Assert.Equal("Active", d.GetProperty("state").GetString());
        Assert.Equal("local", d.GetProperty("provider").GetString());
        Assert.Equal("slin@8000", d.GetProperty("format").GetString());
        Assert.Equal("test-gateway", d.GetProperty("gatewayId").GetString());
        Assert.True(d.GetProperty("startedAtUtc").GetDateTime() <= DateTime.UtcNow);
        Assert.True(d.GetProperty("counters").GetProperty("chunksOut").GetInt64() > 0);
        Assert.Single(d.GetProperty("turnLatenciesMs").EnumerateArray());
        var roles = d.GetProperty("transcript").EnumerateArray().Select(l => l.GetProperty("role").GetString()).ToList();
        Assert.Contains("caller", roles);
        Assert.Contains("agent", roles);

        using (var early = await silo.Http.GetAsync($"/api/calls/{call.CallId}/history"))
        {
            Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        }

        await call.Grain.HangupAsync(CallEndReason.CallerHangup);

        using var after = await GetJsonAsync("/api/calls");
        Assert.DoesNotContain(after.RootElement.EnumerateArray(), c => c.GetProperty("callId").GetGuid() == call.CallId);
        using var history = await GetJsonAsync($"/api/calls/{call.CallId}/history");
        var h = history.RootElement;
        Assert.Equal("Ended", h.GetProperty("state").GetString());
        Assert.Equal("CallerHangup", h.GetProperty("endReason").GetString());
        Assert.Equal("local", h.GetProperty("provider").GetString());
        Assert.True(h.GetProperty("endedAtUtc").GetDateTime() >= h.GetProperty("startedAtUtc").GetDateTime());
        Assert.Contains(h.GetProperty("transcript").EnumerateArray(), l => l.GetProperty("role").GetString() == "agent");
        Assert.Equal(snapshot.TurnLatenciesMs[0], Assert.Single(h.GetProperty("turnLatenciesMs").EnumerateArray()).GetDouble());
    }

    [Fact]
    public async Task Unknown_calls_are_404_and_a_malformed_id_is_400_with_a_problem_body()
    {
        var unknown = Guid.NewGuid();

        using var snapshot = await silo.Http.GetAsync($"/api/calls/{unknown}");
        using var history = await silo.Http.GetAsync($"/api/calls/{unknown}/history");
        using var malformed = await silo.Http.GetAsync("/api/calls/not-a-uuid");

        Assert.Equal(HttpStatusCode.NotFound, snapshot.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, history.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal("application/problem+json", malformed.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not-a-uuid", await malformed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Loopback_bind_without_a_token_serves_the_page_and_the_dashboard_but_not_its_trace_or_grain_state()
    {
        using var page = await silo.Http.GetAsync("/operators");
        using var dashboard = await silo.Http.GetAsync("/dashboard/");
        using var grainState = await silo.Http.GetAsync("/dashboard/GrainState?grainId=x&grainType=y");
        using var trace = await silo.Http.GetAsync("/dashboard/Trace");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("Live calls", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, dashboard.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, grainState.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, trace.StatusCode);
    }

    private async Task<JsonDocument> GetJsonAsync(string path)
    {
        using var response = await silo.Http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body);
    }
}
