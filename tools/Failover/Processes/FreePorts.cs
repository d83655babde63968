using System.Net;
using System.Net.Sockets;

namespace AiAgent.Failover.Processes;

/// <summary>Free loopback TCP ports, none handed out twice in one harness run (other helpers share this machine).</summary>
internal sealed class FreePorts
{
    private readonly HashSet<int> _given = [];

    /// <summary>A port nothing listens on right now and this harness has not handed out before.</summary>
    public int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            if (_given.Add(port))
            {
                return port;
            }
        }
    }
}
