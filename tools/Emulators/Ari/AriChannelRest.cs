using System.Globalization;
using System.Net.Sockets;

namespace AiAgent.Emulators.Ari;

/// <summary>REST on channels (docs/protocols/asterisk.md#rest-on-a-channel-in-stasis and #external-media-over-audiosocket).</summary>
internal sealed class AriChannelRest(AriEmulatorCore core)
{
    private static readonly Dictionary<string, int> HangupReasons = new(StringComparer.Ordinal)
    {
        ["normal"] = 16, ["busy"] = 17, ["congestion"] = 34, ["no_answer"] = 19, ["timeout"] = 18, ["rejected"] = 21,
        ["unallocated"] = 1, ["normal_unspecified"] = 31, ["number_incomplete"] = 28, ["codec_mismatch"] = 58,
        ["interworking"] = 127, ["failure"] = 27, ["answered_elsewhere"] = 26,
    };

    public RestResult ListChannels()
    {
        lock (core.Gate)
        {
            return new(200, AriEventJson.Object(w =>
            {
                w.WriteStartArray();
                foreach (var channel in core.ChannelMap.Values)
                {
                    AriEventJson.WriteChannel(w, channel);
                }

                w.WriteEndArray();
            }));
        }
    }

    public RestResult GetChannel(string id)
    {
        lock (core.Gate)
        {
            return core.ChannelMap.TryGetValue(id, out var channel)
                ? new(200, AriEventJson.Object(w => AriEventJson.WriteChannel(w, channel)))
                : RestResult.ChannelNotFound;
        }
    }

    public RestResult Answer(string id)
    {
        lock (core.Gate)
        {
            if (!core.ChannelMap.TryGetValue(id, out var channel))
            {
                return RestResult.ChannelNotFound;
            }

            channel.Call?.CountAnswer();
            if (channel.StasisApp is null)
            {
                return RestResult.NotInStasis;
            }

            if (channel.State != "Up")
            {
                channel.State = "Up";
                core.Emit(channel.EventApp, "ChannelStateChange", channel, w => AriEmulatorCore.WriteChannel(w, channel));
            }

            return RestResult.NoContent;
        }
    }

    public RestResult Hangup(string id, string? reason, string? reasonCode)
    {
        if (reason is not null && reasonCode is not null)
        {
            return RestResult.Error(400, "The reason and reason_code can't both be specified");
        }

        var cause = 16;
        if (reasonCode is not null && !int.TryParse(reasonCode, NumberStyles.None, CultureInfo.InvariantCulture, out cause))
        {
            return RestResult.Error(400, "Invalid reason_code");
        }

        if (reason is not null && !HangupReasons.TryGetValue(reason, out cause))
        {
            return RestResult.Error(400, "Invalid reason for hangup provided");
        }

        lock (core.Gate)
        {
            if (!core.ChannelMap.TryGetValue(id, out var channel))
            {
                return RestResult.ChannelNotFound;
            }

            channel.Call?.CountHangup();
            channel.Dialled?.CountHangup();
            var app = channel.EventApp;
            // Our own DELETE: the soft-hangup flag (32) in cause, with soft (docs/protocols/asterisk.md#connection-and-events).
            core.Emit(app, "ChannelHangupRequest", channel, w =>
            {
                w.WriteNumber("cause", 32);
                w.WriteBoolean("soft", true);
                AriEmulatorCore.WriteChannel(w, channel);
            });
            // The recorded second soft request is a dialplan caller's; an originated channel is not one.
            core.EndChannel(channel, cause, secondHangupRequest: channel.ExternalUuid is null && channel.Dialled is null);
            return RestResult.NoContent;
        }
    }

    public RestResult Continue(string id, string? context, string? extension, string? priority)
    {
        lock (core.Gate)
        {
            if (!core.ChannelMap.TryGetValue(id, out var channel))
            {
                return RestResult.ChannelNotFound;
            }

            if (channel.StasisApp is not { } app)
            {
                return RestResult.NotInStasis;
            }

            core.LeaveBridge(channel);
            core.Emit(app, "StasisEnd", channel, w => AriEmulatorCore.WriteChannel(w, channel));
            channel.StasisApp = null;
            channel.Context = context ?? channel.Context;
            channel.Exten = extension ?? channel.Exten;
            channel.Priority = priority is not null && long.TryParse(priority, NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : channel.Priority + 1;
            channel.ContinuedTo = $"{channel.Context},{channel.Exten},{channel.Priority}";
            if (channel.SubscribedApp is not null)
            {
                core.SetVariable(channel, "STASISSTATUS", "SUCCESS");
            }

            return RestResult.NoContent;
        }
    }

    public RestResult SetChannelVariable(string id, string? variable, string? value)
    {
        if (string.IsNullOrEmpty(variable))
        {
            return RestResult.Error(400, "Variable name is required");
        }

        lock (core.Gate)
        {
            if (!core.ChannelMap.TryGetValue(id, out var channel))
            {
                return RestResult.ChannelNotFound;
            }

            if (channel.StasisApp is null)
            {
                return RestResult.NotInStasis;
            }

            core.SetVariable(channel, variable, value ?? string.Empty);
            return RestResult.NoContent;
        }
    }

    public RestResult GetChannelVariable(string id, string? variable)
    {
        if (string.IsNullOrEmpty(variable))
        {
            return RestResult.Error(400, "Variable name is required");
        }

        lock (core.Gate)
        {
            if (!core.ChannelMap.TryGetValue(id, out var channel))
            {
                return RestResult.ChannelNotFound;
            }

            return channel.Variables.TryGetValue(variable, out var value)
                ? new(200, AriEventJson.Object(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("value", value);
                    w.WriteEndObject();
                }))
                : RestResult.Error(404, "Provided variable was not found");
        }
    }

    public RestResult Moh(string id, bool on)
    {
        lock (core.Gate)
        {
            if (!core.ChannelMap.TryGetValue(id, out var channel))
            {
                return RestResult.ChannelNotFound;
            }

            if (channel.StasisApp is null)
            {
                return RestResult.NotInStasis;
            }

            channel.OnHold = on;
            core.ObserveCallers();
            return RestResult.NoContent;
        }
    }

    /// <summary>
    /// <c>POST /channels/externalMedia</c>: validates, dials the AudioSocket server (TCP connect now), answers 200 with the
    /// channel (state Down); <see cref="ActivateExternalMediaAsync"/> then sends the UUID frame and the events.
    /// </summary>
    public async Task<(RestResult Result, EmulatedChannel? Channel)> CreateExternalMediaAsync(IQueryCollection query, CancellationToken cancellationToken)
    {
        string? Q(string name) => query.TryGetValue(name, out var v) ? v.ToString() : null;
        var app = Q("app");
        var host = Q("external_host");
        var format = Q("format");
        var data = Q("data");
        if (string.IsNullOrEmpty(app) || string.IsNullOrEmpty(format))
        {
            return (RestResult.Error(400, "app and format are required"), null);
        }

        if (string.IsNullOrEmpty(host))
        {
            return (RestResult.Error(400, "external_host is required"), null);
        }

        if ((Q("encapsulation") ?? "rtp") != "audiosocket")
        {
            return (RestResult.Error(501, "The emulator only implements encapsulation=audiosocket"), null);
        }

        if ((Q("transport") ?? "udp") != "tcp")
        {
            return (RestResult.Error(400, "AudioSocket requires transport tcp"), null);
        }

        if (ExternalMediaLink.ForFormat(format) is not { } wire)
        {
            return (RestResult.Error(400, "Provided format is not supported"), null);
        }

        lock (core.Gate)
        {
            core.ExternalMediaRequests++;
            if (Guid.TryParse(data, out var counted))
            {
                core.ExternalMediaByData[counted] = core.ExternalMediaByData.GetValueOrDefault(counted) + 1;
            }
        }

        if (!Guid.TryParse(data, out var uuid))
        {
            // chan_audiosocket refuses a non-UUID id; ARI reports the failed dial as 500.
            return (RestResult.Error(500, "Failed to create channel"), null);
        }

        var colon = host.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(host.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return (RestResult.Error(500, "Failed to create channel"), null);
        }

        ExternalMediaLink link;
        try
        {
            link = await ExternalMediaLink.ConnectAsync(host[..colon].Trim('[', ']'), port, wire.Kind, wire.FrameBytes, core.Options.ConnectTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or IOException)
        {
            return (RestResult.Error(500, "Failed to create channel"), null);
        }

        lock (core.Gate)
        {
            var channel = new EmulatedChannel
            {
                Id = core.NewChannelId(),
                Name = $"AudioSocket/{host}-{uuid:D}",
                CreationTime = AriEventJson.Timestamp(DateTimeOffset.UtcNow),
                State = "Down",
                AppName = "AppDial2",
                AppData = "(Outgoing Line)",
                ExternalUuid = uuid,
                ExternalHost = host,
                SubscribedApp = app,
                Link = link,
            };
            channel.Variables["AUDIOSOCKET_UUID"] = uuid.ToString("D");
            channel.Variables["AUDIOSOCKET_SERVICE"] = host;
            core.ChannelMap.Add(channel.Id, channel);
            return (new(200, AriEventJson.Object(w => AriEventJson.WriteChannel(w, channel, withChannelVars: true))), channel);
        }
    }

    /// <summary>After the 200: the UUID frame, then <c>Dial</c>, <c>ChannelStateChange</c> Up, <c>Dial</c> ANSWER, <c>StasisStart</c>.</summary>
    public async Task ActivateExternalMediaAsync(EmulatedChannel channel)
    {
        var link = channel.Link!;
        try
        {
            await link.StartAsync(
                channel.ExternalUuid!.Value,
                frame => core.NextCallerFrame(channel.Id, frame),
                payload => core.FromGateway(channel.Id, payload),
                reason => ServerEnded(channel.Id, reason)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            ServerEnded(channel.Id, "closed before the UUID frame");
            return;
        }

        lock (core.Gate)
        {
            if (channel.Destroyed)
            {
                return;
            }

            var app = channel.SubscribedApp!;
            var dialString = $"{channel.ExternalHost}/{channel.ExternalUuid:D}";
            void Dial(string status) => core.Emit(app, "Dial", channel, w =>
            {
                w.WriteString("dialstatus", status);
                w.WriteString("forward", string.Empty);
                w.WriteString("dialstring", dialString);
                w.WritePropertyName("peer");
                AriEventJson.WriteChannel(w, channel);
            });
            Dial(string.Empty);
            channel.State = "Up";
            core.Emit(app, "ChannelStateChange", channel, w => AriEmulatorCore.WriteChannel(w, channel));
            Dial("ANSWER");
            channel.StasisApp = app;
            channel.AppName = "Stasis";
            channel.AppData = $"{app},{channel.ExternalUuid:D}";
            core.SetVariable(channel, "STASISSTATUS", string.Empty);
            core.Emit(app, "StasisStart", channel, w =>
            {
                w.WriteStartArray("args");
                w.WriteStringValue(channel.ExternalUuid!.Value.ToString("D"));
                w.WriteEndArray();
                AriEmulatorCore.WriteChannel(w, channel);
            });
        }
    }

    /// <summary>The AudioSocket server sent <c>00 00 00</c> or closed: <c>StasisEnd</c>, <c>ChannelDestroyed</c> cause 0, no hangup request.</summary>
    private void ServerEnded(string channelId, string reason)
    {
        lock (core.Gate)
        {
            if (!core.ChannelMap.TryGetValue(channelId, out var channel))
            {
                return;
            }

            AriEmulatorCore.LogServerEnded(core.Logger, channelId, reason);
            core.EndChannel(channel, destroyedCause: 0, secondHangupRequest: false);
        }
    }
}
