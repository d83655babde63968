using System.Globalization;

namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// Name resolution for a run, like an <c>/etc/hosts</c> entry with a port: <c>gateway-host:8090</c> in the
/// dialplan text can reach <c>127.0.0.1:43121</c> without the text changing. Applies to AudioSocket services and to
/// the host and port of <c>CURL()</c> URLs; anything not mapped is used as written.
/// </summary>
/// <remarks>
/// A name may map to several targets (<c>name:port=a:p1,b:p2</c>): a connection goes to the first that accepts, as a
/// Kubernetes Service sends a new connection to a ready endpoint. A gateway that drains stops accepting, so the next
/// connection of a reconnect loop reaches the next gateway.
/// </remarks>
public sealed class EndpointMap
{
    private readonly Dictionary<string, IReadOnlyList<(string Host, int Port)>> _map = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>No mappings.</summary>
    public static EndpointMap Empty { get; } = new();

    /// <summary>Maps <paramref name="host"/>:<paramref name="port"/> to <paramref name="toHost"/>:<paramref name="toPort"/>.</summary>
    public EndpointMap Add(string host, int port, string toHost, int toPort) => Add(host, port, [(toHost, toPort)]);

    /// <summary>Maps <paramref name="host"/>:<paramref name="port"/> to <paramref name="targets"/>, tried in order.</summary>
    public EndpointMap Add(string host, int port, IReadOnlyList<(string Host, int Port)> targets)
    {
        if (targets.Count == 0)
        {
            throw new ArgumentException("at least one target", nameof(targets));
        }

        _map[Key(host, port)] = [.. targets];
        return this;
    }

    /// <summary>Parses <c>name:port=host:port[,host:port…]</c> (the CLI's <c>--map</c>).</summary>
    public EndpointMap Add(string mapping)
    {
        var equals = mapping.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || !TrySplitService(mapping[..equals], out var fromHost, out var fromPort))
        {
            throw new FormatException($"'{mapping}' is not name:port=host:port[,host:port...]");
        }

        var targets = new List<(string, int)>();
        foreach (var target in mapping[(equals + 1)..].Split(','))
        {
            if (!TrySplitService(target.Trim(), out var toHost, out var toPort))
            {
                throw new FormatException($"'{mapping}' is not name:port=host:port[,host:port...] ('{target}')");
            }

            targets.Add((toHost, toPort));
        }

        return Add(fromHost, fromPort, targets);
    }

    /// <summary>Where <paramref name="host"/>:<paramref name="port"/> really is: the first target.</summary>
    public (string Host, int Port) Resolve(string host, int port) => ResolveAll(host, port)[0];

    /// <summary>Every target of <paramref name="host"/>:<paramref name="port"/>, in the order a connection tries them.</summary>
    public IReadOnlyList<(string Host, int Port)> ResolveAll(string host, int port) =>
        _map.TryGetValue(Key(host, port), out var targets) ? targets : [(host, port)];

    /// <summary>The URL with its authority resolved to the first target.</summary>
    public Uri Resolve(Uri url) => ResolveAll(url)[0];

    /// <summary>The URL once per target of its authority, in order.</summary>
    public IReadOnlyList<Uri> ResolveAll(Uri url) =>
        [.. ResolveAll(url.Host, url.Port).Select(t => new UriBuilder(url) { Host = t.Host, Port = t.Port }.Uri)];

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
