namespace AiAgent.Grains.Asterisk.Ari;

/// <summary>
/// The ARI REST requests the platform uses (docs/ari.md; status codes in docs/protocols/asterisk.md#rest-on-a-channel-in-stasis).
/// Any status other than the documented success (and the documented "already gone" 404s) throws <see cref="AriException"/>.
/// </summary>
public interface IAriClient
{
    /// <summary><c>POST /channels/{id}/answer</c> (204).</summary>
    Task AnswerAsync(string channelId, CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /channels/{id}?reason_code=N</c>: true on 204, false on 404 (already gone).</summary>
    Task<bool> HangupAsync(string channelId, int reasonCode = 16, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>POST /channels/externalMedia?app=…&amp;external_host=HOST:PORT&amp;encapsulation=audiosocket&amp;transport=tcp&amp;format=…&amp;data=UUID</c>
    /// (200 with the new channel). <paramref name="format"/> is <c>slin</c> or <c>slin16</c> (any Asterisk format name).
    /// </summary>
    Task<AriChannel> CreateExternalMediaAsync(string app, string externalHost, string format, Guid data, CancellationToken cancellationToken = default);

    /// <summary><c>POST /bridges?type=…</c> (200 with the bridge).</summary>
    Task<AriBridge> CreateBridgeAsync(string type = "mixing", CancellationToken cancellationToken = default);

    /// <summary><c>POST /bridges/{id}/addChannel?channel=A,B</c> (204).</summary>
    Task AddChannelsAsync(string bridgeId, IReadOnlyList<string> channelIds, CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /bridges/{id}</c>: true on 204, false on 404 (already gone).</summary>
    Task<bool> DestroyBridgeAsync(string bridgeId, CancellationToken cancellationToken = default);

    /// <summary><c>GET /bridges</c>.</summary>
    Task<IReadOnlyList<AriBridge>> ListBridgesAsync(CancellationToken cancellationToken = default);

    /// <summary><c>GET /bridges/{id}</c>; null on 404.</summary>
    Task<AriBridge?> GetBridgeAsync(string bridgeId, CancellationToken cancellationToken = default);

    /// <summary><c>POST /applications/{app}/subscription?eventSource=…</c>, e.g. <c>channel:{id}</c> (200).</summary>
    Task SubscribeAsync(string app, string eventSource, CancellationToken cancellationToken = default);

    /// <summary><c>GET /channels</c>.</summary>
    Task<IReadOnlyList<AriChannel>> ListChannelsAsync(CancellationToken cancellationToken = default);

    /// <summary><c>GET /channels/{id}</c>; null on 404.</summary>
    Task<AriChannel?> GetChannelAsync(string channelId, CancellationToken cancellationToken = default);

    /// <summary><c>POST /channels/{id}/continue?context=…&amp;extension=…&amp;priority=…</c> (204); omitted parts stay as they are.</summary>
    Task ContinueAsync(string channelId, string? context = null, string? extension = null, int? priority = null, CancellationToken cancellationToken = default);

    /// <summary><c>POST /channels/{id}/variable?variable=X&amp;value=Y</c> (204).</summary>
    Task SetVariableAsync(string channelId, string variable, string value, CancellationToken cancellationToken = default);

    /// <summary><c>GET /channels/{id}/variable?variable=X</c>: the value, or null on 404 (no such variable, or no such channel).</summary>
    Task<string?> GetVariableAsync(string channelId, string variable, CancellationToken cancellationToken = default);

    /// <summary><c>POST /channels/{id}/moh[?mohClass=…]</c> (204): hold music on.</summary>
    Task StartMohAsync(string channelId, string? mohClass = null, CancellationToken cancellationToken = default);

    /// <summary><c>DELETE /channels/{id}/moh</c> (204): hold music off.</summary>
    Task StopMohAsync(string channelId, CancellationToken cancellationToken = default);

    /// <summary>
    /// <c>POST /channels?endpoint=E&amp;app=APP&amp;appArgs=A&amp;timeout=T[&amp;callerId=…][&amp;originator=…][&amp;channelId=…]</c>
    /// (200 with the new channel, state <c>Down</c>): dials <see cref="AriOriginate.Endpoint"/>; once it answers it enters
    /// <c>Stasis(APP,A)</c>. The application is subscribed to the channel from its creation, so an unanswered channel's
    /// <c>ChannelDestroyed</c> reaches it too. 400 bad parameters (or an originator that does not exist), 409 the
    /// <c>channelId</c> exists already.
    /// </summary>
    Task<AriChannel> OriginateAsync(AriOriginate originate, CancellationToken cancellationToken = default);

    /// <summary><c>POST /bridges/{id}/removeChannel?channel=A,B</c> (204); 422 when a channel is not in that bridge.</summary>
    Task RemoveChannelsAsync(string bridgeId, IReadOnlyList<string> channelIds, CancellationToken cancellationToken = default);
}
