using System.Buffers;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace AiAgent.Emulators.Ari;

/// <summary>
/// The emulated Asterisk: Stasis channels and bridges with the semantics and event sequences of
/// docs/protocols/asterisk.md#ari. One lock guards all state; events are queued in order under it.
/// </summary>
internal sealed partial class AriEmulatorCore(AriEmulatorOptions options, AriEventHub hub, ILogger logger, Action changed)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, EmulatedChannel> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EmulatedBridge> _bridges = new(StringComparer.Ordinal);
    private readonly List<AriEmulatorEvent> _events = [];
    private readonly Dictionary<Guid, int> _externalMediaByData = [];
    private readonly long _epoch = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    private int _nextChannel;
    private int _localCounter;

    public int ExternalMediaRequests { get; set; }

    public int BridgeRequests { get; set; }

    public int AddChannelRequests { get; set; }

    /// <summary>The one lock over all state (REST operations take it too).</summary>
    public object Gate => _gate;

    public Dictionary<string, EmulatedChannel> ChannelMap => _channels;

    public Dictionary<string, EmulatedBridge> BridgeMap => _bridges;

    public Dictionary<Guid, int> ExternalMediaByData => _externalMediaByData;

    public AriEventHub Hub => hub;

    public AriEmulatorOptions Options => options;

    public ILogger Logger => logger;

    public IReadOnlyList<AriEmulatorEvent> Events { get { lock (_gate) { return [.. _events]; } } }

    public int ExternalMediaRequestsFor(Guid data) { lock (_gate) { return _externalMediaByData.GetValueOrDefault(data); } }

    public IReadOnlyList<AriEmulatorChannelInfo> Channels
    {
        get
        {
            lock (_gate)
            {
                return [.. _channels.Values.Select(c => new AriEmulatorChannelInfo(c.Id, c.Name, c.State, c.StasisApp is not null, c.ExternalUuid, c.Bridge?.Id, c.Link?.FramesSent ?? 0, c.Link?.FramesReceived ?? 0))];
            }
        }
    }

    public IReadOnlyList<AriEmulatorBridgeInfo> Bridges
    {
        get
        {
            lock (_gate)
            {
                return [.. _bridges.Values.Select(b => new AriEmulatorBridgeInfo(b.Id, b.BridgeType, [.. b.Channels.Select(c => c.Id)]))];
            }
        }
    }

    /// <summary>Places a caller into <c>Stasis(app, args…)</c>: state Ring, <c>StasisStart</c>.</summary>
    public AriEmulatorCall PlaceCall(string app, IReadOnlyList<string> args, AriCallOptions callOptions)
    {
        lock (_gate)
        {
            if (!hub.IsRegistered(app))
            {
                // Asterisk: "Stasis app 'x' not registered"; Stasis() fails and the dialplan goes on with STASISSTATUS=FAILED.
                throw new InvalidOperationException($"Stasis application '{app}' is not registered (no events socket connected)");
            }

            var local = _localCounter++;
            var channel = new EmulatedChannel
            {
                Id = NewChannelId(),
                Name = $"Local/{callOptions.Extension}@{callOptions.Context}-{local:x8};2",
                CreationTime = AriEventJson.Timestamp(DateTimeOffset.UtcNow),
                CallerName = callOptions.CallerName,
                CallerNumber = callOptions.CallerNumber,
                Context = callOptions.Context,
                Exten = callOptions.Extension,
                Priority = 2,
                AppName = "Stasis",
                AppData = string.Join(',', [app, .. args]),
                StasisApp = app,
                State = "Ring",
            };
            var call = new AriEmulatorCall(this, channel.Id, channel.Name, app, callOptions);
            channel.Call = call;
            _channels.Add(channel.Id, channel);
            Emit(app, "StasisStart", channel, w =>
            {
                w.WriteStartArray("args");
                foreach (var arg in args)
                {
                    w.WriteStringValue(arg);
                }

                w.WriteEndArray();
                WriteChannel(w, channel);
            });
            call.StartClock();
            return call;
        }
    }

    /// <summary>The caller presses a key: <c>ChannelDtmfReceived</c>.</summary>
    public void SendDtmf(string channelId, char digit, int durationMs)
    {
        lock (_gate)
        {
            var channel = Live(channelId);
            Emit(channel.EventApp, "ChannelDtmfReceived", channel, w =>
            {
                w.WriteString("digit", digit.ToString());
                w.WriteNumber("duration_ms", durationMs);
                WriteChannel(w, channel);
            });
        }
    }

    /// <summary>The caller hangs up (far side): <c>ChannelHangupRequest</c> cause 16, leaves the bridge, <c>StasisEnd</c>.</summary>
    public void CallerHangsUp(string channelId)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(channelId, out var channel))
            {
                return;
            }

            Emit(channel.EventApp, "ChannelHangupRequest", channel, w =>
            {
                w.WriteNumber("cause", 16);
                WriteChannel(w, channel);
            });
            EndChannel(channel, destroyedCause: 16, secondHangupRequest: false);
        }
    }

    /// <summary>On dispose: closes every AudioSocket leg.</summary>
    public async Task HangUpEverythingAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        ExternalMediaLink[] links;
        AriEmulatorCall[] calls;
        lock (_gate)
        {
            links = [.. _channels.Values.Select(c => c.Link).OfType<ExternalMediaLink>()];
            calls = [.. _channels.Values.Select(c => c.Call).OfType<AriEmulatorCall>()];
            foreach (var channel in _channels.Values)
            {
                channel.Link = null;
            }
        }

        foreach (var call in calls)
        {
            await call.StopClockAsync().ConfigureAwait(false);
        }

        foreach (var link in links)
        {
            await link.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>State of a caller for its handle.</summary>
    public T Read<T>(string channelId, Func<EmulatedChannel?, T> read)
    {
        lock (_gate)
        {
            return read(_channels.GetValueOrDefault(channelId));
        }
    }

    internal static void WriteChannel(Utf8JsonWriter w, EmulatedChannel channel)
    {
        w.WritePropertyName("channel");
        AriEventJson.WriteChannel(w, channel);
    }

    private static string CauseText(int cause) => cause switch
    {
        0 => "Unknown",
        1 => "Unallocated (unassigned) number",
        16 => "Normal Clearing",
        17 => "User busy",
        18 => "No user responding",
        19 => "User alerting, no answer",
        21 => "Call Rejected",
        27 => "Destination out of order",
        28 => "Invalid number format (addr incomplete)",
        31 => "Normal, unspecified",
        34 => "Circuit/channel congestion",
        41 => "Temporary failure",
        58 => "Bearer capability not available",
        127 => "Interworking, unspecified",
        _ => "Unknown",
    };

    internal string NewChannelId() => $"{_epoch}.{_nextChannel++}";

    private EmulatedChannel Live(string channelId) =>
        _channels.TryGetValue(channelId, out var channel) ? channel : throw new InvalidOperationException($"channel {channelId} is gone");

    /// <summary>Records and queues one event (under the lock, so order is kept).</summary>
    internal void Emit(string? app, string type, EmulatedChannel? channel, Action<Utf8JsonWriter> body)
    {
        if (app is null)
        {
            return;
        }

        var json = AriEventJson.Event(type, DateTimeOffset.UtcNow, options.AsteriskId, app, body);
        var delivered = hub.Publish(app, json);
        _events.Add(new AriEmulatorEvent(app, type, channel?.Id, json, delivered));
        ObserveCallers();
        changed();
    }

    /// <summary>
    /// Records, for every caller, what it can hear now (hold music, the other answered channels in its bridge) when that
    /// changed: the record of <see cref="AriEmulatorCall.Moments"/>. Called under the lock after every event and every
    /// hold-music change, the only moments either can change.
    /// </summary>
    internal void ObserveCallers()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var channel in _channels.Values)
        {
            if (channel.Call is { } call)
            {
                IReadOnlyList<string> hears = channel.Bridge is { } bridge
                    ? [.. bridge.Channels.Where(c => c != channel && c.State == "Up").Select(c => c.Id)]
                    : [];
                call.Observe(now, channel.Bridge?.Id, channel.OnHold, channel.StasisApp is not null, hears, gone: false);
            }
        }
    }

    internal void SetVariable(EmulatedChannel channel, string variable, string value)
    {
        channel.Variables[variable] = value;
        Emit(channel.EventApp, "ChannelVarset", channel, w =>
        {
            w.WriteString("variable", variable);
            w.WriteString("value", value);
            WriteChannel(w, channel);
        });
    }

    /// <summary>
    /// The end of a channel, after its <c>ChannelHangupRequest</c> (if any): leaves its bridge, <c>StasisEnd</c>; with a
    /// subscription <c>STASISSTATUS=SUCCESS</c>, (a dialplan caller deleted by us: a second soft request) and
    /// <c>ChannelDestroyed</c>. External media is always subscribed by the application that created it.
    /// </summary>
    internal void EndChannel(EmulatedChannel channel, int destroyedCause, bool secondHangupRequest)
    {
        var subscribedApp = channel.SubscribedApp;
        LeaveBridge(channel);
        if (channel.StasisApp is { } app)
        {
            Emit(app, "StasisEnd", channel, w => WriteChannel(w, channel));
            channel.StasisApp = null;
            if (subscribedApp is not null)
            {
                SetVariable(channel, "STASISSTATUS", "SUCCESS");
            }
        }

        if (subscribedApp is not null)
        {
            if (secondHangupRequest)
            {
                Emit(subscribedApp, "ChannelHangupRequest", channel, w =>
                {
                    w.WriteNumber("cause", destroyedCause);
                    w.WriteBoolean("soft", true);
                    WriteChannel(w, channel);
                });
            }

            // What the channel ran last: a dialplan caller nothing, an outgoing (external) channel AppDial2.
            (channel.AppName, channel.AppData) = channel.ExternalUuid is null ? (string.Empty, string.Empty) : ("AppDial2", "(Outgoing Line)");
            Emit(subscribedApp, "ChannelDestroyed", channel, w =>
            {
                w.WriteNumber("cause", destroyedCause);
                w.WriteString("cause_txt", CauseText(destroyedCause));
                WriteChannel(w, channel);
            });
        }

        channel.Destroyed = true;
        channel.Dialled?.Destroyed(destroyedCause);
        _channels.Remove(channel.Id);
        channel.Call?.Observe(DateTimeOffset.UtcNow, bridgeId: null, onHold: false, inStasis: false, hears: [], gone: true);
        if (channel.Link is { } link)
        {
            channel.Link = null;
            _ = Task.Run(async () => await link.DisposeAsync().ConfigureAwait(false));
        }

        LogChannelGone(logger, channel.Id, destroyedCause);
    }

    internal void LeaveBridge(EmulatedChannel channel)
    {
        if (channel.Bridge is not { } bridge)
        {
            return;
        }

        bridge.Channels.Remove(channel);
        channel.Bridge = null;
        if (channel.Variables.ContainsKey("BRIDGEPEER"))
        {
            SetVariable(channel, "BRIDGEPEER", string.Empty);
        }

        Emit(bridge.Application, "ChannelLeftBridge", channel, w =>
        {
            w.WritePropertyName("bridge");
            AriEventJson.WriteBridge(w, bridge);
            WriteChannel(w, channel);
        });
    }

    /// <summary>The caller bridged with an external-media channel, for its audio.</summary>
    private AriEmulatorCall? BridgedCaller(EmulatedChannel external) =>
        external.Bridge?.Channels.FirstOrDefault(c => c.Call is not null && c.State == "Up")?.Call;

    internal bool NextCallerFrame(string externalId, Memory<byte> frame)
    {
        AriEmulatorCall? call;
        lock (_gate)
        {
            call = _channels.TryGetValue(externalId, out var external) ? BridgedCaller(external) : null;
        }

        if (call is null || call.IsDriven)
        {
            return false; // a driven caller pushes its frames on its own clock
        }

        call.FillFrame(frame.Span, externalId);
        return true;
    }

    /// <summary>
    /// For a driven caller's clock tick: whether its channel is gone, whether it is up, and the external-media legs
    /// sharing its bridge now, in joining order.
    /// </summary>
    internal (bool Gone, bool Up, IReadOnlyList<(string LegId, ExternalMediaLink Link)> Legs) CallerTick(string callerId)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(callerId, out var caller))
            {
                return (true, false, []);
            }

            IReadOnlyList<(string, ExternalMediaLink)> legs = caller.Bridge is { } bridge
                ? [.. bridge.Channels.Where(c => c.ExternalUuid is not null && c.State == "Up" && c.Link is not null).Select(c => (c.Id, c.Link!))]
                : [];
            return (false, caller.State == "Up", legs);
        }
    }

    internal void FromGateway(string externalId, ReadOnlySequence<byte> payload)
    {
        AriEmulatorCall? call;
        lock (_gate)
        {
            call = _channels.TryGetValue(externalId, out var external) ? BridgedCaller(external) : null;
            if (external?.Bridge is { } bridge)
            {
                foreach (var dialled in bridge.Channels.Select(c => c.Dialled).OfType<AriEmulatorDialled>())
                {
                    dialled.CountHeard();
                }
            }
        }

        call?.Hear(payload, externalId);
    }

    [LoggerMessage(6290, LogLevel.Debug, "ARI emulator: channel {ChannelId} gone, cause {Cause}")]
    private static partial void LogChannelGone(ILogger logger, string channelId, int cause);

    [LoggerMessage(6291, LogLevel.Information, "ARI emulator: external media {ChannelId} ended by the AudioSocket server: {Reason}")]
    internal static partial void LogServerEnded(ILogger logger, string channelId, string reason);
}
