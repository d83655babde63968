using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using AiAgent.Grains.Interfaces.Configuration;
using AiAgent.Silo.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace AiAgent.Silo.Operators;

/// <summary>
/// Who may use the call API, the operators' page and the Orleans Dashboard. Bound to loopback with no token, anyone
/// who can reach the port may (only this machine can). With a token (env <c>AIAGENT_API_TOKEN</c>, a Kubernetes
/// Secret), every request needs <c>Authorization: Bearer &lt;token&gt;</c> or the cookie the login form sets.
/// Bound beyond loopback with no token, the host refuses to start. <c>/metrics</c> and <c>/health</c> stay open.
/// </summary>
public sealed class OperatorAccess
{
    /// <summary>The environment variable (and configuration key) holding the token.</summary>
    public const string TokenVariable = "AIAGENT_API_TOKEN";

    /// <summary>The authorization policy protecting operator endpoints.</summary>
    public const string Policy = "operators";

    /// <summary>The authentication scheme name.</summary>
    public const string Scheme = "OperatorToken";

    /// <summary>The cookie the login form sets, for browsers (which cannot add a bearer header to a page load).</summary>
    public const string CookieName = "aiagent_api_token";

    private const int MaxTokenLength = 256;

    private readonly byte[]? _token;

    private OperatorAccess(byte[]? token, bool loopbackOnly)
    {
        _token = token;
        LoopbackOnly = loopbackOnly;
    }

    /// <summary>True when a token is configured: then every operator request must present it.</summary>
    public bool TokenRequired => _token is not null;

    /// <summary>True when the HTTP endpoint is bound to a loopback address.</summary>
    public bool LoopbackOnly { get; }

    /// <summary>Decides the access mode; throws <see cref="InvalidConfigurationException"/> for a non-loopback bind without a token.</summary>
    public static OperatorAccess Create(SiloHttpOptions http, string? token)
    {
        var loopback = http.HttpHost == "localhost" || (IPAddress.TryParse(http.HttpHost, out var address) && IPAddress.IsLoopback(address));
        if (string.IsNullOrWhiteSpace(token))
        {
            return loopback
                ? new OperatorAccess(null, loopbackOnly: true)
                : throw new InvalidConfigurationException(
                    $"silo.http_host: '{http.HttpHost}' is not a loopback address, so the call API, " +
                    $"operators' page and dashboard need a bearer token: set the {TokenVariable} environment variable (a Kubernetes Secret), " +
                    "or bind silo.http_host to 127.0.0.1");
        }

        if (token.Trim().Length is < 16 or > MaxTokenLength)
        {
            throw new InvalidConfigurationException($"{TokenVariable}: the token must be 16 to {MaxTokenLength} characters");
        }

        return new OperatorAccess(Encoding.UTF8.GetBytes(token.Trim()), loopback);
    }

    /// <summary>Compares a presented token in constant time.</summary>
    public bool Accepts(ReadOnlySpan<char> presented)
    {
        if (_token is null)
        {
            return true;
        }

        if (presented.Length > MaxTokenLength)
        {
            return false;
        }

        Span<byte> bytes = stackalloc byte[(MaxTokenLength + 1) * 3];

        var written = Encoding.UTF8.GetBytes(presented, bytes);
        return CryptographicOperations.FixedTimeEquals(bytes[..written], _token);
    }
}

/// <summary>Registers and applies <see cref="OperatorAccess"/>.</summary>
public static class OperatorAccessExtensions
{
    /// <summary>Adds the token authentication scheme and the <see cref="OperatorAccess.Policy"/> policy.</summary>
    public static OperatorAccess AddOperatorAccess(this WebApplicationBuilder builder, HostingOptions hosting)
    {
        var access = OperatorAccess.Create(hosting.Silo, builder.Configuration[OperatorAccess.TokenVariable]);
        builder.Services.AddSingleton(access);
        builder.Services.AddAuthentication(OperatorAccess.Scheme)
            .AddScheme<AuthenticationSchemeOptions, OperatorTokenHandler>(OperatorAccess.Scheme, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(OperatorAccess.Policy, p => p.AddAuthenticationSchemes(OperatorAccess.Scheme).RequireAuthenticatedUser());
        return access;
    }

    /// <summary>Authentication and authorization middleware (before the endpoints).</summary>
    public static WebApplication UseOperatorAccess(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}

/// <summary>Authenticates operator requests by bearer token (or the login cookie); everyone on a loopback bind with no token.</summary>
internal sealed class OperatorTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    OperatorAccess access) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private static readonly ClaimsPrincipal LocalOperator = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "local operator")], OperatorAccess.Scheme));
    private static readonly ClaimsPrincipal TokenOperator = new(new ClaimsIdentity([new Claim(ClaimTypes.Name, "token operator")], OperatorAccess.Scheme));

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!access.TokenRequired)
        {
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(LocalOperator, OperatorAccess.Scheme)));
        }

        ReadOnlySpan<char> presented = default;
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = header.AsSpan(7).Trim();
        }
        else if (Request.Cookies.TryGetValue(OperatorAccess.CookieName, out var cookie))
        {
            presented = cookie.AsSpan();
        }
        else
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        return Task.FromResult(access.Accepts(presented)
            ? AuthenticateResult.Success(new AuthenticationTicket(TokenOperator, OperatorAccess.Scheme))
            : AuthenticateResult.Fail("invalid token"));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"aiagent\"";
        return Task.CompletedTask;
    }
}
