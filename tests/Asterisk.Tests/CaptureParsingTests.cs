using System.Text;
using AiAgent.Grains.Asterisk.Ari;

namespace AiAgent.Asterisk.Tests;

/// <summary>Every recorded event parses into its typed record with the fields Asterisk sent.</summary>
public sealed class CaptureParsingTests
{
    public static TheoryData<string> CaptureNames => [.. Captures.All];

    [Theory]
    [MemberData(nameof(CaptureNames))]
    public void Every_line_parses_to_a_known_type_with_the_common_fields(string capture)
    {
        foreach (var line in Captures.Lines(capture))
        {
            Assert.True(AriEventParser.TryParse(Encoding.UTF8.GetBytes(line), out var ariEvent, out var error), error);
            Assert.IsNotType<UnknownAriEvent>(ariEvent);
            Assert.Equal("aiagent", ariEvent!.Application);
            Assert.Equal("02:fc:00:00:00:01", ariEvent.AsteriskId);
            Assert.True(ariEvent.TryGetTimestamp(out var at));
            Assert.Equal(2026, at.Year);
        }
    }

    [Fact]
    public void StasisStart_carries_args_and_the_channel_with_its_dialplan()
    {
        var start = Parse<StasisStartEvent>(Captures.Lines(Captures.AnswerVariableDtmfContinue)[0]);
        Assert.Equal(["arg1"], start.Args);
        Assert.Equal("1796186348.1", start.Channel.Id);
        Assert.Equal("Local/300@ari-00000000;2", start.Channel.Name);
        Assert.Equal("Ring", start.Channel.State);
        Assert.Equal("ari", start.Channel.Dialplan!.Context);
        Assert.Equal("300", start.Channel.Dialplan.Exten);
        Assert.Equal(2, start.Channel.Dialplan.Priority);
        Assert.Equal("Stasis", start.Channel.Dialplan.AppName);
        Assert.Equal("aiagent,arg1", start.Channel.Dialplan.AppData);
        Assert.Equal(string.Empty, start.Channel.Caller!.Number);
    }

    [Fact]
    public void Varset_dtmf_and_state_change_carry_their_fields()
    {
        var lines = Captures.Lines(Captures.AnswerVariableDtmfContinue);
        Assert.Equal("Up", Parse<ChannelStateChangeEvent>(lines[1]).Channel.State);
        var varset = Parse<ChannelVarsetEvent>(lines[2]);
        Assert.Equal(("X", "Y"), (varset.Variable, varset.Value));
        var dtmf = Parse<ChannelDtmfReceivedEvent>(lines[3]);
        Assert.Equal(("5", 100), (dtmf.Digit, dtmf.DurationMs));
        Assert.Equal("1796186348.1", Parse<StasisEndEvent>(lines[4]).Channel.Id);
    }

    [Fact]
    public void HangupRequest_and_Destroyed_carry_cause_soft_and_cause_txt()
    {
        var lines = Captures.Lines(Captures.DeleteWithChannelSubscription);
        var ours = Parse<ChannelHangupRequestEvent>(lines[2]);
        Assert.Equal((32, true), (ours.Cause, ours.Soft));
        var destroyed = Parse<ChannelDestroyedEvent>(lines[6]);
        Assert.Equal((16, "Normal Clearing"), (destroyed.Cause, destroyed.CauseTxt));

        var farSide = Parse<ChannelHangupRequestEvent>(Captures.Lines(Captures.ExternalMediaCallerHangup)[11]);
        Assert.Equal(16, farSide.Cause);
        Assert.Null(farSide.Soft);
    }

    [Fact]
    public void Dial_bridge_and_external_media_events_carry_peer_and_bridge()
    {
        var lines = Captures.Lines(Captures.ExternalMediaCallerHangup);
        var dial = Parse<DialEvent>(lines[4]);
        Assert.Equal("ANSWER", dial.DialStatus);
        Assert.Equal("127.0.0.1:8090/107b2c81-0ed3-4c82-91e0-090f825ce89b", dial.DialString);
        Assert.Equal("AudioSocket/127.0.0.1:8090-107b2c81-0ed3-4c82-91e0-090f825ce89b", dial.Peer.Name);
        Assert.Equal(string.Empty, Parse<DialEvent>(lines[2]).DialStatus);

        Assert.Equal(["107b2c81-0ed3-4c82-91e0-090f825ce89b"], Parse<StasisStartEvent>(lines[6]).Args);
        var entered = Parse<ChannelEnteredBridgeEvent>(lines[8]);
        Assert.Equal("c4053a76-9056-4152-a9ab-987cd0ff9c84", entered.Bridge.Id);
        Assert.Equal(("simple_bridge", "mixing", "stasis"), (entered.Bridge.Technology, entered.Bridge.BridgeType, entered.Bridge.BridgeClass));
        Assert.Equal(["1796186398.9", "1796186399.10"], entered.Bridge.Channels);
        Assert.Equal("1796186399.10", entered.Channel!.Id);
        var left = Parse<ChannelLeftBridgeEvent>(lines[13]);
        Assert.Equal(["1796186399.10"], left.Bridge.Channels);
        Assert.Empty(Parse<BridgeDestroyedEvent>(lines[21]).Bridge.Channels);
        var destroyed = Parse<ChannelDestroyedEvent>(Captures.Lines(Captures.ExternalMediaServerHangupFrame)[7]);
        Assert.Equal((0, "Unknown"), (destroyed.Cause, destroyed.CauseTxt));
    }

    [Theory]
    [InlineData("""{"type":"PlaybackStarted","timestamp":"2026-12-02T04:39:08.827+0000","application":"aiagent","playback":{"id":"p"}}""")]
    [InlineData("""{"playback":{"id":"p"},"type":"SomethingNew"}""")]
    public void An_unknown_type_is_an_UnknownAriEvent_with_the_raw_json(string json)
    {
        Assert.True(AriEventParser.TryParse(Encoding.UTF8.GetBytes(json), out var ariEvent, out _));
        var unknown = Assert.IsType<UnknownAriEvent>(ariEvent);
        Assert.Equal(json, unknown.Json);
        Assert.NotEmpty(unknown.Type);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"no_type":1}""")]
    [InlineData("""{"type":5}""")]
    [InlineData("""{"type":"StasisStart","args":"not-a-list"}""")]
    [InlineData("""{"type":"ChannelDtmfReceived","duration_ms":"long","digit":"5"}""")]
    [InlineData("""{"type":"StasisStart","channel":{"id":"1.1"}""")]
    public void A_malformed_event_is_refused_without_throwing(string json)
    {
        Assert.False(AriEventParser.TryParse(Encoding.UTF8.GetBytes(json), out var ariEvent, out var error));
        Assert.Null(ariEvent);
        Assert.False(string.IsNullOrEmpty(error));
    }

    private static T Parse<T>(string line) where T : AriEvent
    {
        Assert.True(AriEventParser.TryParse(Encoding.UTF8.GetBytes(line), out var ariEvent, out var error), error);
        return Assert.IsType<T>(ariEvent);
    }
}
