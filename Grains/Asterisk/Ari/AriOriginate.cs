namespace AiAgent.Grains.Asterisk.Ari;

/// <summary>
/// What <see cref="IAriClient.OriginateAsync"/> sends (<c>POST /channels</c>, the Stasis form: an application, not a
/// dialplan extension).
/// </summary>
/// <param name="Endpoint">What to dial, <c>TECH/resource</c>, e.g. <c>PJSIP/sales-desk</c>.</param>
/// <param name="App">The Stasis application the answered channel enters.</param>
/// <param name="AppArgs">Its arguments, comma separated (the <c>args</c> of its <c>StasisStart</c>).</param>
/// <param name="TimeoutSeconds">How long Asterisk lets it ring (Asterisk's default is 30; -1 is no limit).</param>
public sealed record AriOriginate(string Endpoint, string App, string AppArgs, int TimeoutSeconds)
{
    /// <summary>Caller id shown to the called party, <c>"Name" &lt;number&gt;</c> (personal data: never logged).</summary>
    public string? CallerId { get; init; }

    /// <summary>The channel this one is dialled on behalf of (Asterisk takes codecs and linked id from it).</summary>
    public string? Originator { get; init; }

    /// <summary>The unique id to give the new channel (at most 149 characters), so its events can be recognised before anything else is known.</summary>
    public string? ChannelId { get; init; }
}
