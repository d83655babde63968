using System.Text;

namespace AiAgent.Grains.Asterisk.Ari;

/// <summary>
/// Where an Asterisk's ARI is and who we are there (docs/ari.md). <see cref="BaseUrl"/> is the REST root, e.g.
/// <c>http://host:8088/ari</c>; the password comes from the environment and is never logged: <see cref="ToString"/>
/// leaves it out, and so does <see cref="EventsUriForLog"/>.
/// </summary>
/// <param name="BaseUrl">The ARI root, <c>http(s)://host:port/ari</c>.</param>
/// <param name="Application">The Stasis application name the dialplan's <c>Stasis(NAME,…)</c> uses.</param>
/// <param name="UserName">The <c>ari.conf</c> user.</param>
/// <param name="Password">The <c>ari.conf</c> password (a secret).</param>
public sealed record AriEndpoint(Uri BaseUrl, string Application, string UserName, string Password)
{
    /// <summary>The REST URL for <paramref name="pathAndQuery"/> (relative to <c>/ari</c>, starting with <c>/</c>).</summary>
    public Uri RestUri(string pathAndQuery) => new(BaseUrl.AbsoluteUri.TrimEnd('/') + pathAndQuery);

    /// <summary>The events WebSocket URL with <c>api_key=user:pass</c>: a secret, never log it.</summary>
    public Uri EventsUri() => new(EventsBase() + "&api_key=" + Uri.EscapeDataString(UserName) + ":" + Uri.EscapeDataString(Password));

    /// <summary>The events WebSocket URL without the key, for logs.</summary>
    public string EventsUriForLog() => EventsBase();

    /// <summary>The <c>Authorization</c> header value for REST (basic auth).</summary>
    public string BasicAuthorization() => "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(UserName + ":" + Password));

    /// <summary>Everything but the password.</summary>
    public override string ToString() => $"AriEndpoint {{ BaseUrl = {BaseUrl}, Application = {Application}, UserName = {UserName} }}";

    private string EventsBase()
    {
        var root = BaseUrl.AbsoluteUri.TrimEnd('/');
        var ws = root.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? "wss://" + root[8..]
            : root.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? "ws://" + root[7..]
            : root;
        return ws + "/events?app=" + Uri.EscapeDataString(Application);
    }
}
