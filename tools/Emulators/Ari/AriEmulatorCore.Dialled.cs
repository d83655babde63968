using System.Text.Json;

namespace AiAgent.Emulators.Ari;

/// <summary>
/// Channels the application originates (<c>POST /channels</c>) and the far ends that answer, reject or ring out.
/// From the Asterisk source (<c>res/ari/resource_channels.c</c>, <c>main/dial.c</c>), not observed: the application is
/// subscribed to the channel from its creation, so it gets the ringing, the rejection and the <c>ChannelDestroyed</c>
/// of a channel that never answered; an answered one runs <c>Stasis(app,appArgs)</c> (docs/protocols/asterisk.md#originate-and-hold-music).
/// </summary>
internal sealed partial class AriEmulatorCore
{
    private readonly Dictionary<string, AriEndpointScript> _scripts = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<AriEmulatorDialled> _dialled = [];
    private readonly CancellationTokenSource _stopping = new();
    private int _dialCounter;

    /// <summary>Every channel originated so far, in order (gone ones too).</summary>
    public IReadOnlyList<AriEmulatorDialled> Dialled { get { lock (_gate) { return [.. _dialled]; } } }

    public void ScriptEndpoint(string endpoint, AriEndpointScript script)
    {
        lock (_gate)
        {
            _scripts[endpoint] = script;
        }
    }

    /// <summary>Creates the originated channel (state Down), under the lock; the caller answers 200 with its snapshot.</summary>
    public EmulatedChannel CreateDialled(string endpoint, string app, string? appArgs, int timeoutSeconds, string? channelId, string? callerId, string? originator)
    {
        var slash = endpoint.IndexOf('/', StringComparison.Ordinal);
        var (name, number) = ParseCallerId(callerId);
        var args = string.IsNullOrEmpty(appArgs) ? [] : appArgs.Split(',');
        var channel = new EmulatedChannel
        {
            Id = channelId ?? NewChannelId(),
            Name = $"{endpoint[..slash]}/{endpoint[(slash + 1)..]}-{_dialCounter++:x8}",
            CreationTime = AriEventJson.Timestamp(DateTimeOffset.UtcNow),
            State = "Down",
            CallerName = name,
            CallerNumber = number,
            SubscribedApp = app,
            OriginateAppData = string.IsNullOrEmpty(appArgs) ? app : $"{app},{appArgs}",
        };
        channel.Dialled = new AriEmulatorDialled(this, channel.Id, endpoint, app, args, timeoutSeconds, callerId, originator);
        _channels.Add(channel.Id, channel);
        _dialled.Add(channel.Dialled);
        changed();
        return channel;
    }

    /// <summary>After the 200: <c>Dial</c>, ringing, then the endpoint's script and the originate's timeout run.</summary>
    public void RingDialled(string channelId)
    {
        AriEndpointScript script;
        int timeoutSeconds;
        lock (_gate)
        {
            if (!_channels.TryGetValue(channelId, out var channel) || channel.Dialled is not { } dialled)
            {
                return;
            }

            EmitDial(channel, string.Empty);
            channel.State = "Ringing";
            Emit(channel.EventApp, "ChannelStateChange", channel, w => WriteChannel(w, channel));
            script = _scripts.GetValueOrDefault(dialled.Endpoint) ?? AriEndpointScript.Rings;
            timeoutSeconds = dialled.TimeoutSeconds;
        }

        if (script.After is { } after)
        {
            _ = AfterAsync(after, () =>
            {
                if (script.RejectCause is { } cause)
                {
                    RejectDialled(channelId, cause);
                }
                else
                {
                    AnswerDialled(channelId);
                }
            });
        }

        if (timeoutSeconds > 0)
        {
            _ = AfterAsync(TimeSpan.FromSeconds(timeoutSeconds), () => DialTimedOut(channelId));
        }
    }

    /// <summary>The far end answers: <c>ChannelStateChange</c> Up, <c>Dial</c> ANSWER, <c>StasisStart</c> (args = appArgs).</summary>
    public void AnswerDialled(string channelId)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(channelId, out var channel) || channel.Dialled is not { } dialled || channel.State == "Up")
            {
                return;
            }

            channel.State = "Up";
            Emit(channel.EventApp, "ChannelStateChange", channel, w => WriteChannel(w, channel));
            EmitDial(channel, "ANSWER");
            channel.StasisApp = dialled.Application;
            channel.AppName = "Stasis";
            channel.AppData = channel.OriginateAppData;
            SetVariable(channel, "STASISSTATUS", string.Empty);
            Emit(dialled.Application, "StasisStart", channel, w =>
            {
                WriteArgs(w, dialled.AppArgs);
                WriteChannel(w, channel);
            });
        }
    }

    /// <summary>The far end refuses before answering: <c>Dial</c> BUSY (or CONGESTION …), <c>ChannelHangupRequest</c>, <c>ChannelDestroyed</c> with the cause.</summary>
    public void RejectDialled(string channelId, int cause)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(channelId, out var channel) || channel.Dialled is null || channel.State == "Up")
            {
                return;
            }

            EmitDial(channel, cause switch { 17 => "BUSY", 19 or 18 => "NOANSWER", 34 or 42 => "CONGESTION", _ => "CHANUNAVAIL" });
            Emit(channel.EventApp, "ChannelHangupRequest", channel, w =>
            {
                w.WriteNumber("cause", cause);
                WriteChannel(w, channel);
            });
            EndChannel(channel, cause, secondHangupRequest: false);
        }
    }

    /// <summary>The originate's timeout passed unanswered: <c>Dial</c> NOANSWER, <c>ChannelDestroyed</c> cause 19 (the dial hangs it up: no hangup request).</summary>
    private void DialTimedOut(string channelId)
    {
        lock (_gate)
        {
            if (!_channels.TryGetValue(channelId, out var channel) || channel.Dialled is null || channel.State == "Up")
            {
                return;
            }

            EmitDial(channel, "NOANSWER");
            EndChannel(channel, 19, secondHangupRequest: false);
        }
    }

    private void EmitDial(EmulatedChannel channel, string status) => Emit(channel.EventApp, "Dial", channel, w =>
    {
        w.WriteString("dialstatus", status);
        w.WriteString("forward", string.Empty);
        w.WriteString("dialstring", channel.Dialled!.Endpoint[(channel.Dialled.Endpoint.IndexOf('/', StringComparison.Ordinal) + 1)..]);
        w.WritePropertyName("peer");
        AriEventJson.WriteChannel(w, channel);
    });

    private async Task AfterAsync(TimeSpan delay, Action action)
    {
        try
        {
            await Task.Delay(delay, _stopping.Token).ConfigureAwait(false);
            action();
        }
        catch (OperationCanceledException)
        {
            // The emulator is being disposed.
        }
    }

    /// <summary><c>"Name" &lt;number&gt;</c>, <c>Name &lt;number&gt;</c> or a bare number.</summary>
    private static (string Name, string Number) ParseCallerId(string? callerId)
    {
        if (string.IsNullOrWhiteSpace(callerId))
        {
            return (string.Empty, string.Empty);
        }

        var open = callerId.LastIndexOf('<');
        var close = callerId.LastIndexOf('>');
        return open >= 0 && close > open
            ? (callerId[..open].Trim().Trim('"'), callerId[(open + 1)..close].Trim())
            : (string.Empty, callerId.Trim());
    }

    private static void WriteArgs(Utf8JsonWriter w, IReadOnlyList<string> args)
    {
        w.WriteStartArray("args");
        foreach (var arg in args)
        {
            w.WriteStringValue(arg);
        }

        w.WriteEndArray();
    }
}
