namespace AiAgent.Emulators.Ari;

/// <summary>REST on bridges and application subscriptions.</summary>
internal sealed class AriBridgeRest(AriEmulatorCore core)
{
    public RestResult CreateBridge(string? type)
    {
        var bridgeType = string.IsNullOrEmpty(type) ? "mixing" : type;
        if (bridgeType.Split(',').Any(t => t is not ("mixing" or "holding" or "dtmf_events" or "proxy_media" or "video_sfu" or "video_single")))
        {
            return RestResult.Error(400, "Invalid bridge type");
        }

        lock (core.Gate)
        {
            core.BridgeRequests++;
            // The application that asked gets the bridge's events (Asterisk subscribes the creator).
            var app = core.Hub.NewestApplication ?? "unknown";
            var bridge = new EmulatedBridge(Guid.NewGuid().ToString("D"), bridgeType.Split(',')[0], AriEventJson.Timestamp(DateTimeOffset.UtcNow), app);
            core.BridgeMap.Add(bridge.Id, bridge);
            return new(200, AriEventJson.Object(w => AriEventJson.WriteBridge(w, bridge)));
        }
    }

    public RestResult ListBridges()
    {
        lock (core.Gate)
        {
            return new(200, AriEventJson.Object(w =>
            {
                w.WriteStartArray();
                foreach (var bridge in core.BridgeMap.Values)
                {
                    AriEventJson.WriteBridge(w, bridge);
                }

                w.WriteEndArray();
            }));
        }
    }

    public RestResult GetBridge(string id)
    {
        lock (core.Gate)
        {
            return core.BridgeMap.TryGetValue(id, out var bridge)
                ? new(200, AriEventJson.Object(w => AriEventJson.WriteBridge(w, bridge)))
                : RestResult.BridgeNotFound;
        }
    }

    /// <summary><c>addChannel</c>: <c>ChannelEnteredBridge</c> for each, then <c>BRIDGEPEER</c> on both of a pair (as recorded).</summary>
    public RestResult AddChannels(string bridgeId, string? channelList)
    {
        if (string.IsNullOrEmpty(channelList))
        {
            return RestResult.Error(400, "Missing parameter channel");
        }

        lock (core.Gate)
        {
            core.AddChannelRequests++;
            var ids = channelList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var id in ids)
            {
                if (core.ChannelMap.TryGetValue(id, out var named))
                {
                    named.Call?.CountAddChannel();
                }
            }

            if (!core.BridgeMap.TryGetValue(bridgeId, out var bridge))
            {
                return RestResult.BridgeNotFound;
            }

            var channels = new List<EmulatedChannel>(ids.Length);
            foreach (var id in ids)
            {
                if (!core.ChannelMap.TryGetValue(id, out var channel))
                {
                    // From source (resourcecore.BridgeMap.c), not observed.
                    return RestResult.Error(400, "Channel not found");
                }

                if (channel.StasisApp is null)
                {
                    return RestResult.Error(422, "Channel not in Stasis application");
                }

                channels.Add(channel);
            }

            foreach (var channel in channels)
            {
                if (channel.Bridge == bridge)
                {
                    continue;
                }

                core.LeaveBridge(channel);
                bridge.Channels.Add(channel);
                channel.Bridge = bridge;
                core.Emit(bridge.Application, "ChannelEnteredBridge", channel, w =>
                {
                    w.WritePropertyName("bridge");
                    AriEventJson.WriteBridge(w, bridge);
                    AriEmulatorCore.WriteChannel(w, channel);
                });
            }

            if (bridge.Channels.Count == 2)
            {
                var (a, b) = (bridge.Channels[0], bridge.Channels[1]);
                core.SetVariable(a, "BRIDGEPEER", b.Name);
                core.SetVariable(b, "BRIDGEPEER", a.Name);
            }

            return RestResult.NoContent;
        }
    }

    /// <summary>
    /// <c>removeChannel</c>: <c>ChannelLeftBridge</c> for each; the channels stay in the application (from source,
    /// <c>res/ari/resource_bridges.c</c>, not observed: 400 an unknown channel, 422 one not in Stasis or not in this bridge).
    /// </summary>
    public RestResult RemoveChannels(string bridgeId, string? channelList)
    {
        if (string.IsNullOrEmpty(channelList))
        {
            return RestResult.Error(400, "Missing parameter channel");
        }

        lock (core.Gate)
        {
            if (!core.BridgeMap.TryGetValue(bridgeId, out var bridge))
            {
                return RestResult.BridgeNotFound;
            }

            var channels = new List<EmulatedChannel>();
            foreach (var id in channelList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!core.ChannelMap.TryGetValue(id, out var channel))
                {
                    return RestResult.Error(400, "Channel not found");
                }

                if (channel.StasisApp is null)
                {
                    return RestResult.Error(422, "Channel not in Stasis application");
                }

                if (channel.Bridge != bridge)
                {
                    return RestResult.Error(422, "Channel not in this bridge");
                }

                channels.Add(channel);
            }

            foreach (var channel in channels)
            {
                core.LeaveBridge(channel);
            }

            return RestResult.NoContent;
        }
    }

    /// <summary><c>DELETE /bridges/{id}</c>: the channels leave, then <c>BridgeDestroyed</c>.</summary>
    public RestResult DestroyBridge(string id)
    {
        lock (core.Gate)
        {
            if (!core.BridgeMap.Remove(id, out var bridge))
            {
                return RestResult.BridgeNotFound;
            }

            foreach (var channel in bridge.Channels.ToArray())
            {
                core.LeaveBridge(channel);
            }

            core.Emit(bridge.Application, "BridgeDestroyed", null, w =>
            {
                w.WritePropertyName("bridge");
                AriEventJson.WriteBridge(w, bridge);
            });
            return RestResult.NoContent;
        }
    }

    /// <summary><c>POST /applications/{app}/subscription?eventSource=channel:{id}</c>.</summary>
    public RestResult Subscribe(string app, string? eventSource)
    {
        if (string.IsNullOrEmpty(eventSource))
        {
            return RestResult.Error(400, "Missing parameter eventSource");
        }

        lock (core.Gate)
        {
            if (!core.Hub.IsKnown(app))
            {
                return RestResult.Error(404, "Application not found");
            }

            var channels = new List<EmulatedChannel>();
            foreach (var source in eventSource.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!source.StartsWith("channel:", StringComparison.Ordinal) || !core.ChannelMap.TryGetValue(source["channel:".Length..], out var channel))
                {
                    // From source (resource_applications.c), not observed; the emulator only knows channel sources.
                    return RestResult.Error(422, "Event source was not found");
                }

                channels.Add(channel);
            }

            foreach (var channel in channels)
            {
                channel.SubscribedApp = app;
            }

            var subscribed = core.ChannelMap.Values.Where(c => c.SubscribedApp == app).Select(c => c.Id).ToArray();
            return new(200, AriEventJson.Object(w =>
            {
                w.WriteStartObject();
                w.WriteString("name", app);
                w.WriteStartArray("channel_ids");
                foreach (var channelId in subscribed)
                {
                    w.WriteStringValue(channelId);
                }

                w.WriteEndArray();
                w.WriteStartArray("bridge_ids");
                w.WriteEndArray();
                w.WriteStartArray("endpoint_ids");
                w.WriteEndArray();
                w.WriteStartArray("device_names");
                w.WriteEndArray();
                w.WriteEndObject();
            }));
        }
    }
}
