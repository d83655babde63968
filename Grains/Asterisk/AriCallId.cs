using System.Security.Cryptography;
using System.Text;

namespace AiAgent.Grains.Asterisk;

/// <summary>
/// The platform's call id for a caller channel in ARI mode: a name-based UUID (RFC 9562 version 5) of the ARI
/// endpoint and the caller's channel id, so every silo computes the same id for the same call without asking anyone.
/// That makes a repeated or doubly delivered <c>StasisStart</c> land on the same grain, and lets the external-media
/// leg (whose <c>data</c>, AudioSocket UUID and channel name carry the id) find its call again after a reconnect.
/// </summary>
/// <remarks>.NET has version 4 and 7 generators only, hence the few lines for version 5.</remarks>
public static class AriCallId
{
    private static readonly Guid Namespace = new("7b0f3d3e-5a3c-4d7e-9a59-2f8f0c1d6a11");

    /// <summary>The call id of <paramref name="channelId"/> on the Asterisk behind <paramref name="endpointKey"/>.</summary>
    public static Guid For(string endpointKey, string channelId)
    {
        ArgumentException.ThrowIfNullOrEmpty(endpointKey);
        ArgumentException.ThrowIfNullOrEmpty(channelId);
        var name = Encoding.UTF8.GetBytes($"{endpointKey}\n{channelId}");
        Span<byte> input = stackalloc byte[16 + name.Length];
        Namespace.TryWriteBytes(input, bigEndian: true, out _);
        name.CopyTo(input[16..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input, hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x50); // version 5
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC variant
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>
    /// The call id an external-media channel carries: its <c>AUDIOSOCKET_UUID</c> variable, else the UUID at the end
    /// of its name (<c>AudioSocket/HOST:PORT-UUID</c>); null for any other channel.
    /// </summary>
    public static Guid? OfMediaLeg(string channelName, string? audioSocketUuid)
    {
        if (!channelName.StartsWith("AudioSocket/", StringComparison.Ordinal))
        {
            return null;
        }

        if (Guid.TryParse(audioSocketUuid, out var fromVariable))
        {
            return fromVariable;
        }

        const int UuidLength = 36;
        return channelName.Length > UuidLength && Guid.TryParse(channelName.AsSpan(channelName.Length - UuidLength), out var fromName)
            ? fromName
            : null;
    }
}
