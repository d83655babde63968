using System.Globalization;

namespace AiAgent.Grains.Asterisk;

/// <summary>
/// How a warm transfer's human leg is recognised: the platform chooses its channel id before the originate (ARI's
/// <c>channelId</c>), <c>aiagent-transfer-&lt;call id&gt;-&lt;attempt&gt;</c>, so every event about it — a
/// <c>ChannelDestroyed</c> of a leg that never answered included — names its call, on any silo and after any restart,
/// without a registry. Its <c>StasisStart</c> also carries the call id in its args (<c>aiagent-transfer,&lt;call id&gt;</c>).
/// </summary>
public static class AriTransferLeg
{
    /// <summary>The first appArg of a transfer leg.</summary>
    public const string ArgsMarker = "aiagent-transfer";

    private const string Prefix = ArgsMarker + "-";
    private const int UuidLength = 36;

    /// <summary>The channel id of the <paramref name="attempt"/>th transfer leg of <paramref name="callId"/>.</summary>
    public static string ChannelId(Guid callId, int attempt) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}{callId:D}-{attempt}");

    /// <summary>The originate's appArgs: <c>aiagent-transfer,&lt;call id&gt;</c>.</summary>
    public static string AppArgs(Guid callId) => $"{ArgsMarker},{callId:D}";

    /// <summary>The call id in a transfer leg's channel id; null for any other channel.</summary>
    public static Guid? CallIdOf(string? channelId)
    {
        if (channelId is null || channelId.Length < Prefix.Length + UuidLength + 2 || !channelId.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        var id = channelId.AsSpan(Prefix.Length, UuidLength);
        var attempt = channelId.AsSpan(Prefix.Length + UuidLength);
        return attempt[0] == '-' && int.TryParse(attempt[1..], NumberStyles.None, CultureInfo.InvariantCulture, out _) && Guid.TryParseExact(id, "D", out var callId)
            ? callId
            : null;
    }

    /// <summary>The call id in a transfer leg's <c>StasisStart</c> args; null for any other args.</summary>
    public static Guid? CallIdOfArgs(IReadOnlyList<string> args) =>
        args is [ArgsMarker, var id, ..] && Guid.TryParseExact(id, "D", out var callId) ? callId : null;
}
