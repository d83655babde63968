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
/// The one seam between ARI mode and the call's outcome. Today it maps <see cref="CallEndReason"/> (agent hang-up →
/// <c>hangup</c>, a failure → <c>error</c>); when the call disposition contract lands it reads the disposition
/// (<c>hangup</c> | <c>transfer:NAME</c> | <c>reconnect</c> | <c>error</c>) through <see cref="Parse"/> instead.
/// </summary>
public static class AriDispositionReader
{
    /// <summary>Reads the call's end and maps it to an action; a call that has not ended (gateway lost) is an error.</summary>
    public static async Task<AriEndAction> ReadAsync(IGrainFactory grains, Guid callId)
    {
        var snapshot = await grains.GetGrain<ICallGrain>(callId).GetSnapshotAsync();
        return snapshot.EndReason switch
        {
            CallEndReason.AgentHangup or CallEndReason.CallerHangup or CallEndReason.IdleTimeout or CallEndReason.Shutdown => AriEndAction.Hangup,
            _ => AriEndAction.Error,
        };
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
