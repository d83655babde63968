using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AiAgent.Grains.Asterisk.Ari;

/// <summary>
/// <see cref="IAriClient"/> on an <see cref="HttpClient"/> the caller owns (e.g. from <c>IHttpClientFactory</c>); basic
/// auth per request, so the client's default headers stay untouched. Our own, as no ARI client is on the package mirror
/// (docs/decisions.md#ari-client).
/// </summary>
public sealed class AriClient : IAriClient
{
    private readonly HttpClient _http;
    private readonly AriEndpoint _endpoint;
    private readonly ILogger _logger;
    private readonly AuthenticationHeaderValue _authorization;

    /// <summary>Creates a client for <paramref name="endpoint"/> on <paramref name="httpClient"/>.</summary>
    public AriClient(HttpClient httpClient, AriEndpoint endpoint, ILogger<AriClient>? logger = null)
    {
        _http = httpClient;
        _endpoint = endpoint;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        var basic = endpoint.BasicAuthorization();
        _authorization = new AuthenticationHeaderValue("Basic", basic["Basic ".Length..]);
    }

    /// <inheritdoc/>
    public async Task AnswerAsync(string channelId, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Post, $"/channels/{E(channelId)}/answer", "POST /channels/{id}/answer", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<bool> HangupAsync(string channelId, int reasonCode = 16, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Delete, $"/channels/{E(channelId)}?reason_code={reasonCode}", "DELETE /channels/{id}", cancellationToken, allowNotFound: true).ConfigureAwait(false);

    /// <inheritdoc/>
    public Task<AriChannel> CreateExternalMediaAsync(string app, string externalHost, string format, Guid data, CancellationToken cancellationToken = default) =>
        ReadAsync(
            HttpMethod.Post,
            $"/channels/externalMedia?app={E(app)}&external_host={E(externalHost)}&encapsulation=audiosocket&transport=tcp&format={E(format)}&data={data:D}",
            "POST /channels/externalMedia",
            AriJsonContext.Default.AriChannel,
            cancellationToken)!;

    /// <inheritdoc/>
    public Task<AriBridge> CreateBridgeAsync(string type = "mixing", CancellationToken cancellationToken = default) =>
        ReadAsync(HttpMethod.Post, $"/bridges?type={E(type)}", "POST /bridges", AriJsonContext.Default.AriBridge, cancellationToken)!;

    /// <inheritdoc/>
    public async Task AddChannelsAsync(string bridgeId, IReadOnlyList<string> channelIds, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(channelIds.Count);
        await SendAsync(HttpMethod.Post, $"/bridges/{E(bridgeId)}/addChannel?channel={string.Join(',', channelIds.Select(E))}", "POST /bridges/{id}/addChannel", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task<bool> DestroyBridgeAsync(string bridgeId, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Delete, $"/bridges/{E(bridgeId)}", "DELETE /bridges/{id}", cancellationToken, allowNotFound: true).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AriBridge>> ListBridgesAsync(CancellationToken cancellationToken = default) =>
        (await ReadAsync(HttpMethod.Get, "/bridges", "GET /bridges", AriJsonContext.Default.ListAriBridge, cancellationToken).ConfigureAwait(false))!;

    /// <inheritdoc/>
    public Task<AriBridge?> GetBridgeAsync(string bridgeId, CancellationToken cancellationToken = default) =>
        ReadAsync(HttpMethod.Get, $"/bridges/{E(bridgeId)}", "GET /bridges/{id}", AriJsonContext.Default.AriBridge, cancellationToken, allowNotFound: true);

    /// <inheritdoc/>
    public async Task SubscribeAsync(string app, string eventSource, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Post, $"/applications/{E(app)}/subscription?eventSource={E(eventSource)}", "POST /applications/{app}/subscription", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AriChannel>> ListChannelsAsync(CancellationToken cancellationToken = default) =>
        (await ReadAsync(HttpMethod.Get, "/channels", "GET /channels", AriJsonContext.Default.ListAriChannel, cancellationToken).ConfigureAwait(false))!;

    /// <inheritdoc/>
    public Task<AriChannel?> GetChannelAsync(string channelId, CancellationToken cancellationToken = default) =>
        ReadAsync(HttpMethod.Get, $"/channels/{E(channelId)}", "GET /channels/{id}", AriJsonContext.Default.AriChannel, cancellationToken, allowNotFound: true);

    /// <inheritdoc/>
    public async Task ContinueAsync(string channelId, string? context = null, string? extension = null, int? priority = null, CancellationToken cancellationToken = default)
    {
        var query = new List<string>(3);
        if (context is not null)
        {
            query.Add("context=" + E(context));
        }

        if (extension is not null)
        {
            query.Add("extension=" + E(extension));
        }

        if (priority is { } p)
        {
            query.Add("priority=" + p.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var path = $"/channels/{E(channelId)}/continue" + (query.Count == 0 ? string.Empty : "?" + string.Join('&', query));
        await SendAsync(HttpMethod.Post, path, "POST /channels/{id}/continue", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public async Task SetVariableAsync(string channelId, string variable, string value, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Post, $"/channels/{E(channelId)}/variable?variable={E(variable)}&value={E(value)}", "POST /channels/{id}/variable", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task<string?> GetVariableAsync(string channelId, string variable, CancellationToken cancellationToken = default)
    {
        var body = await ReadAsync(HttpMethod.Get, $"/channels/{E(channelId)}/variable?variable={E(variable)}", "GET /channels/{id}/variable", AriJsonContext.Default.AriVariableBody, cancellationToken, allowNotFound: true).ConfigureAwait(false);
        return body is null ? null : body.Value ?? string.Empty;
    }

    /// <inheritdoc/>
    public async Task StartMohAsync(string channelId, string? mohClass = null, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Post, $"/channels/{E(channelId)}/moh" + (mohClass is null ? string.Empty : "?mohClass=" + E(mohClass)), "POST /channels/{id}/moh", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public async Task StopMohAsync(string channelId, CancellationToken cancellationToken = default) =>
        await SendAsync(HttpMethod.Delete, $"/channels/{E(channelId)}/moh", "DELETE /channels/{id}/moh", cancellationToken).ConfigureAwait(false);

    /// <inheritdoc/>
    public Task<AriChannel> OriginateAsync(AriOriginate originate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(originate);
        var query = new List<string>(7)
        {
            "endpoint=" + E(originate.Endpoint),
            "app=" + E(originate.App),
            "appArgs=" + E(originate.AppArgs),
            "timeout=" + originate.TimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (originate.CallerId is { Length: > 0 } callerId)
        {
            query.Add("callerId=" + E(callerId));
        }

        if (originate.Originator is { Length: > 0 } originator)
        {
            query.Add("originator=" + E(originator));
        }

        if (originate.ChannelId is { Length: > 0 } channelId)
        {
            query.Add("channelId=" + E(channelId));
        }

        return ReadAsync(HttpMethod.Post, "/channels?" + string.Join('&', query), "POST /channels", AriJsonContext.Default.AriChannel, cancellationToken)!;
    }

    /// <inheritdoc/>
    public async Task RemoveChannelsAsync(string bridgeId, IReadOnlyList<string> channelIds, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(channelIds.Count);
        await SendAsync(HttpMethod.Post, $"/bridges/{E(bridgeId)}/removeChannel?channel={string.Join(',', channelIds.Select(E))}", "POST /bridges/{id}/removeChannel", cancellationToken).ConfigureAwait(false);
    }

    private static string E(string value) => Uri.EscapeDataString(value);

    /// <summary>Sends a request whose answer has no body we need; false when 404 is allowed and came.</summary>
    private async Task<bool> SendAsync(HttpMethod method, string pathAndQuery, string operation, CancellationToken cancellationToken, bool allowNotFound = false)
    {
        using var response = await SendCoreAsync(method, pathAndQuery, cancellationToken).ConfigureAwait(false);
        if (allowNotFound && response.StatusCode == HttpStatusCode.NotFound)
        {
            AriLog.RequestDone(_logger, operation, 404);
            return false;
        }

        await EnsureSuccessAsync(response, operation, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Sends a request and reads its JSON answer; null when 404 is allowed and came.</summary>
    private async Task<T?> ReadAsync<T>(HttpMethod method, string pathAndQuery, string operation, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken, bool allowNotFound = false)
        where T : class
    {
        using var response = await SendCoreAsync(method, pathAndQuery, cancellationToken).ConfigureAwait(false);
        if (allowNotFound && response.StatusCode == HttpStatusCode.NotFound)
        {
            AriLog.RequestDone(_logger, operation, 404);
            return null;
        }

        await EnsureSuccessAsync(response, operation, cancellationToken).ConfigureAwait(false);
        try
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, typeInfo, cancellationToken).ConfigureAwait(false)
                    ?? throw new AriException(operation, response.StatusCode, "empty answer body");
            }
        }
        catch (JsonException e)
        {
            throw new AriException(operation, response.StatusCode, "answer body is not the expected JSON", e);
        }
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpMethod method, string pathAndQuery, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, _endpoint.RestUri(pathAndQuery));
        request.Headers.Authorization = _authorization;
        return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            AriLog.RequestDone(_logger, operation, (int)response.StatusCode);
            return;
        }

        string? message = null;
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (body.Length > 0)
            {
                message = JsonSerializer.Deserialize(body, AriJsonContext.Default.AriErrorBody)?.Message;
            }
        }
        catch (JsonException)
        {
            // Not Asterisk's {"message":…} (a proxy's page, say): the status code alone says enough.
        }

        AriLog.RequestFailed(_logger, operation, response.StatusCode, message);
        throw new AriException(operation, response.StatusCode, message);
    }
}
