using System.Buffers.Binary;

namespace AiAgent.Grains.Asterisk;

/// <summary>
/// Which gateway address (<c>asterisk.ari.external_host</c>) each media-leg attempt dials. A call's first leg starts at
/// an address picked from its call id, so calls spread over the list the way a Service spreads connections and every
/// silo picks alike; a re-dial starts after the address whose leg just ended and avoids it while there is another.
/// With a single address (a Service in front of the gateways) every attempt dials it.
/// </summary>
public static class GatewayRotation
{
    /// <summary>The address of each of <paramref name="attempts"/> attempts, in order.</summary>
    /// <param name="hosts">The configured addresses (at least one).</param>
    /// <param name="callId">The call: its first address when nothing failed yet.</param>
    /// <param name="failedHost">The address whose leg just ended, or null for the call's first leg.</param>
    /// <param name="attempts">How many attempts to plan.</param>
    public static IReadOnlyList<string> Plan(IReadOnlyList<string> hosts, Guid callId, string? failedHost, int attempts)
    {
        ArgumentOutOfRangeException.ThrowIfZero(hosts.Count);
        var failedAt = failedHost is null ? -1 : IndexOf(hosts, failedHost);
        var start = failedAt >= 0 ? failedAt + 1 : SpreadIndex(callId, hosts.Count);
        var candidates = Enumerable.Range(0, hosts.Count)
            .Select(i => hosts[(start + i) % hosts.Count])
            .Where(host => hosts.Count == 1 || !string.Equals(host, failedHost, StringComparison.OrdinalIgnoreCase))
            .ToArray();
        return [.. Enumerable.Range(0, attempts).Select(i => candidates[i % candidates.Length])];
    }

    private static int IndexOf(IReadOnlyList<string> hosts, string host)
    {
        for (var i = 0; i < hosts.Count; i++)
        {
            if (string.Equals(hosts[i], host, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>From the id's bytes, not <see cref="Guid.GetHashCode"/>, so it is the same in every process and version.</summary>
    private static int SpreadIndex(Guid callId, int count)
    {
        Span<byte> bytes = stackalloc byte[16];
        callId.TryWriteBytes(bytes);
        return (int)(BinaryPrimitives.ReadUInt32LittleEndian(bytes) % (uint)count);
    }
}
