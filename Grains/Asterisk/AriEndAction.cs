using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Asterisk;

/// <summary>What to do with the caller when the media leg ended: the call's disposition as ARI mode acts on it.</summary>
/// <param name="Kind"><c>hangup</c>, <c>transfer</c>, <c>reconnect</c> or <c>error</c>.</param>
/// <param name="Destination">For <c>transfer</c>: the extension in <c>asterisk.ari.transfer_context</c>.</param>
public sealed record AriEndAction(string Kind, string? Destination = null)
{
    /// <summary>Hang the caller up.</summary>
    public static readonly AriEndAction Hangup = new("hangup");

    /// <summary>The call failed: hang the caller up.</summary>
    public static readonly AriEndAction Error = new("error");

    /// <summary>The action as the disposition text (<c>transfer:sales</c>).</summary>
    public override string ToString() => Destination is null ? Kind : $"{Kind}:{Destination}";
}

/// <summary>
/// The one seam between ARI mode and the call's outcome: the call's disposition (docs/api.md, "Call disposition"),
/// read from the call when the media leg ended. A call whose grain is still live lost its gateway: <c>reconnect</c>.
/// </summary>
public static class AriDispositionReader
{
    /// <summary>Reads the call's disposition and maps it to an action.</summary>
    public static async Task<AriEndAction> ReadAsync(IGrainFactory grains, Guid callId)
    {
        var snapshot = await grains.ReadCallSnapshotAsync(callId);
        if (snapshot is null)
        {
            // The media leg never reached a gateway that started the call.
            return AriEndAction.Error;
        }

        var disposition = snapshot.State == CallState.Ended
            ? snapshot.Disposition ?? CallDisposition.ForEndReason(snapshot.EndReason ?? CallEndReason.ProviderError)
            : CallDisposition.Reconnect;
        return Parse(disposition.ToString());
    }

    /// <summary>Parses a disposition text; anything unknown is <c>error</c>.</summary>
    public static AriEndAction Parse(string? disposition) => disposition?.Trim() switch
    {
        "hangup" => AriEndAction.Hangup,
        "reconnect" => new AriEndAction("reconnect"),
        { } text when text.StartsWith("transfer:", StringComparison.Ordinal) && text.Length > "transfer:".Length => new AriEndAction("transfer", text["transfer:".Length..]),
        _ => AriEndAction.Error,
    };
}
