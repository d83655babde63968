using System.Globalization;

namespace AiAgent.Emulators.Ari;

/// <summary>
/// <c>POST /channels</c> (and <c>POST /channels/{channelId}</c>) into a Stasis application, with the checks and answers of
/// <c>res/ari/resource_channels.c</c> (from source, not observed: docs/protocols/asterisk.md#originate-and-hold-music).
/// Dialling into the dialplan (<c>extension</c> without <c>app</c>) is not emulated.
/// </summary>
internal sealed class AriOriginateRest(AriEmulatorCore core)
{
    /// <summary>AST_MAX_PUBLIC_UNIQUEID.</summary>
    private const int MaxChannelIdLength = 149;

    public (RestResult Result, string? ChannelId) Originate(IQueryCollection query, string? pathChannelId)
    {
        string? Q(string name) => query.TryGetValue(name, out var v) ? v.ToString() : null;
        var channelId = pathChannelId ?? Q("channelId");
        var endpoint = Q("endpoint");
        var app = Q("app");
        var originator = Q("originator");
        if ((channelId?.Length ?? 0) > MaxChannelIdLength || (Q("otherChannelId")?.Length ?? 0) > MaxChannelIdLength)
        {
            return (RestResult.Error(400, $"Uniqueid length exceeds maximum of {MaxChannelIdLength}"), null);
        }

        if (string.IsNullOrEmpty(endpoint))
        {
            return (RestResult.Error(400, "Endpoint must be specified"), null);
        }

        if (!string.IsNullOrEmpty(originator) && !string.IsNullOrEmpty(Q("formats")))
        {
            return (RestResult.Error(400, "Originator and formats can't both be specified"), null);
        }

        var slash = endpoint.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == endpoint.Length - 1)
        {
            return (RestResult.Error(400, "Invalid endpoint specified"), null);
        }

        if (string.IsNullOrEmpty(app))
        {
            return string.IsNullOrEmpty(Q("extension"))
                ? (RestResult.Error(400, "Application or extension must be specified"), null)
                : (RestResult.Error(501, "originate into the dialplan is not emulated"), null);
        }

        var timeout = 30;
        if (Q("timeout") is { Length: > 0 } timeoutText && !int.TryParse(timeoutText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out timeout))
        {
            return (RestResult.Error(400, "timeout must be an integer"), null);
        }

        // Asterisk: a positive timeout in seconds, -1 for none, anything else the default 30 s.
        timeout = timeout > 0 || timeout == -1 ? timeout : 30;
        lock (core.Gate)
        {
            if (!string.IsNullOrEmpty(originator) && !core.ChannelMap.ContainsKey(originator))
            {
                return (RestResult.Error(400, "Provided originator channel was not found"), null);
            }

            if (channelId is not null && core.ChannelMap.ContainsKey(channelId))
            {
                return (RestResult.Error(409, "Channel with given unique ID already exists"), null);
            }

            var channel = core.CreateDialled(endpoint, app, Q("appArgs"), timeout, string.IsNullOrEmpty(channelId) ? null : channelId, Q("callerId"), originator);
            return (new(200, AriEventJson.Object(w => AriEventJson.WriteChannel(w, channel))), channel.Id);
        }
    }
}
