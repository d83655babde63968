using System.Security.Cryptography;
using System.Text;

namespace AiAgent.Grains.Webhooks;

/// <summary>
/// The webhook's signature: <c>sha256=</c> and the lower-case hex HMAC-SHA256, keyed with the secret, of
/// <c>"&lt;timestamp&gt;.&lt;body&gt;"</c>, so a receiver can check both who sent the body and when (a replay).
/// </summary>
public static class WebhookSignature
{
    /// <summary>The unix-seconds timestamp header.</summary>
    public const string TimestampHeader = "X-AiAgent-Timestamp";

    /// <summary>The signature header.</summary>
    public const string SignatureHeader = "X-AiAgent-Signature";

    /// <summary>The delivery id header (the call id): the same on every attempt, for the receiver to drop duplicates.</summary>
    public const string DeliveryHeader = "X-AiAgent-Delivery";

    /// <summary>The <see cref="SignatureHeader"/> value for <paramref name="body"/> sent at <paramref name="timestamp"/>.</summary>
    public static string Sign(byte[] secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, message));
    }
}
