using System.Text;
using System.Text.Json;
using AiAgent.Grains.Asterisk.Ari;

namespace AiAgent.Asterisk.Tests;

/// <summary>An event's type and key fields, with ids, names and times left out, to compare a run with a recording.</summary>
internal static class EventSignature
{
    public static string Of(AriEvent e) => e switch
    {
        StasisStartEvent s => $"StasisStart {Leg(s.Channel)} {s.Channel.State} args={string.Join(',', s.Args.Select(a => Guid.TryParse(a, out _) ? "<uuid>" : a))}",
        StasisEndEvent s => $"StasisEnd {Leg(s.Channel)}",
        ChannelStateChangeEvent s => $"ChannelStateChange {Leg(s.Channel)} {s.Channel.State}",
        ChannelVarsetEvent v => $"ChannelVarset {(v.Channel is null ? "-" : Leg(v.Channel))} {v.Variable}={(v.Variable == "BRIDGEPEER" ? (v.Value.Length == 0 ? string.Empty : "<peer>") : v.Value)}",
        ChannelDtmfReceivedEvent d => $"ChannelDtmfReceived {d.Digit} {d.DurationMs}",
        ChannelHangupRequestEvent h => $"ChannelHangupRequest {Leg(h.Channel)} cause={h.Cause} soft={h.Soft}",
        ChannelDestroyedEvent d => $"ChannelDestroyed {Leg(d.Channel)} {d.Cause} {d.CauseTxt}",
        ChannelEnteredBridgeEvent b => $"ChannelEnteredBridge {(b.Channel is null ? "-" : Leg(b.Channel))} n={b.Bridge.Channels.Count} {b.Bridge.Technology}/{b.Bridge.BridgeType}",
        ChannelLeftBridgeEvent b => $"ChannelLeftBridge {Leg(b.Channel)} n={b.Bridge.Channels.Count}",
        BridgeDestroyedEvent b => $"BridgeDestroyed n={b.Bridge.Channels.Count}",
        DialEvent d => $"Dial '{d.DialStatus}' {Leg(d.Peer)} {d.Peer.State}",
        _ => e.Type,
    };

    public static string[] OfCapture(string capture) => [.. Captures.Lines(capture).Select(Parse).Select(Of)];

    public static AriEvent Parse(string line)
    {
        Assert.True(AriEventParser.TryParse(Encoding.UTF8.GetBytes(line), out var e, out var error), error);
        return e!;
    }

    /// <summary>Every property path in an event (<c>channel.dialplan.app_name</c>), to compare JSON shapes.</summary>
    public static SortedSet<string> Paths(string json)
    {
        var paths = new SortedSet<string>(StringComparer.Ordinal);
        using var document = JsonDocument.Parse(json);
        Walk(document.RootElement, string.Empty, paths);
        return paths;
    }

    private static void Walk(JsonElement element, string prefix, SortedSet<string> paths)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in element.EnumerateObject())
            {
                var path = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
                paths.Add(path + ":" + property.Value.ValueKind);
                Walk(property.Value, path, paths);
            }
        }
    }

    private static string Leg(AriChannel channel) => channel.Name.StartsWith("AudioSocket/", StringComparison.Ordinal) ? "external" : "caller";
}
