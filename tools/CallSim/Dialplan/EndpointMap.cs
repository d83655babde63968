using System.Globalization;

namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// Name resolution for a run, like an <c>/etc/hosts</c> entry with a port: <c>gateway-host:8090</c> in the
/// dialplan text can reach <c>127.0.0.1:43121</c> without the text changing. Applies to AudioSocket services and to
/// the host and port of <c>CURL()</c> URLs; anything not mapped is used as written.
/// </summary>
public sealed class EndpointMap
{
    private readonly Dictionary<string, (string Host, int Port)> _map = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>No mappings.</summary>
    public static EndpointMap Empty { get; } = new();

    /// <summary>Maps <paramref name="host"/>:<paramref name="port"/> to <paramref name="toHost"/>:<paramref name="toPort"/>.</summary>
    public EndpointMap Add(string host, int port, string toHost, int toPort)
    {
        _map[Key(host, port)] = (toHost, toPort);
        return this;
    }

    /// <summary>Parses <c>name:port=host:port</c> (the CLI's <c>--map</c>).</summary>
    public EndpointMap Add(string mapping)
    {
        var equals = mapping.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || !TrySplitService(mapping[..equals], out var fromHost, out var fromPort)
            || !TrySplitService(mapping[(equals + 1)..], out var toHost, out var toPort))
        {
            throw new FormatException($"'{mapping}' is not name:port=host:port");
        }

        return Add(fromHost, fromPort, toHost, toPort);
    }

    /// <summary>Where <paramref name="host"/>:<paramref name="port"/> really is.</summary>
    public (string Host, int Port) Resolve(string host, int port) =>
        _map.TryGetValue(Key(host, port), out var target) ? target : (host, port);

    /// <summary>The URL with its authority resolved.</summary>
    public Uri Resolve(Uri url)
    {
        var (host, port) = Resolve(url.Host, url.Port);
        return new UriBuilder(url) { Host = host, Port = port }.Uri;
    }

    /// <summary>Splits <c>host:port</c> or <c>[v6]:port</c>; the port is required.</summary>
    public static bool TrySplitService(string service, out string host, out int port)
    {
        host = "";
        port = 0;
        var colon = service.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(service.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port)
            || port is < 1 or > 65535)
        {
            return false;
        }

        host = service[..colon].Trim('[', ']');
        return host.Length > 0;
    }

    private static string Key(string host, int port) => string.Create(CultureInfo.InvariantCulture, $"{host}:{port}");
}
