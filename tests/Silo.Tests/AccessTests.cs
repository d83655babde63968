using System.Net;
using System.Net.Http.Headers;
using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Silo.Operators;

namespace AiAgent.Silo.Tests;

/// <summary>Bound beyond loopback, operator endpoints need the token; metrics and health stay open; no token, no start.</summary>
[Collection(SiloCollection.Name)]
public sealed class AccessTests(SiloHostFixture silo)
{
    private const string Token = SiloHostFixture.Token;
    private readonly HttpClient _http = silo.TokenHttp;

    [Theory]
    [InlineData("/api/calls")]
    [InlineData("/operators")]
    [InlineData("/dashboard/")]
    public async Task Operator_endpoints_refuse_requests_without_the_token(string path)
    {
        using var none = await _http.GetAsync(path);
        using var wrong = await SendAsync(path, "not-the-token-0123456789");

        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Theory]
    [InlineData("/api/calls")]
    [InlineData("/operators")]
    [InlineData("/dashboard/")]
    public async Task Operator_endpoints_serve_requests_with_the_token(string path)
    {
        using var response = await SendAsync(path, Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("/metrics")]
    [InlineData("/health/live")]
    public async Task Metrics_and_health_stay_open(string path)
    {
        using var response = await _http.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_login_form_turns_the_token_into_a_cookie_the_page_accepts()
    {
        using var login = await _http.PostAsync("/operators/login", new FormUrlEncodedContent([new("token", Token)]));
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        using var page = new HttpRequestMessage(HttpMethod.Get, "/api/calls");
        page.Headers.Add("Cookie", cookie.Split(';')[0]);
        using var response = await _http.SendAsync(page);
        using var refused = await _http.PostAsync("/operators/login", new FormUrlEncodedContent([new("token", "wrong-token-0123456789")]));

        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(refused.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public void Binding_beyond_loopback_without_a_token_refuses_to_start()
    {
        var config = TestSilo.WriteConfig("0.0.0.0", out _, out _);

        var error = Assert.Throws<InvalidConfigurationException>(() => SiloHost.Build(["--config", config]));

        Assert.Contains("silo.http_host", error.Message, StringComparison.Ordinal);
        Assert.Contains(OperatorAccess.TokenVariable, error.Message, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _http.SendAsync(request);
    }
}
