using AiAgent.Grains.Interfaces.Calls;

namespace AiAgent.Grains.Tests.Parts;

public sealed class CallDispositionTests
{
    [Theory]
    [InlineData("hangup", CallDispositionKind.Hangup, null)]
    [InlineData("reconnect", CallDispositionKind.Reconnect, null)]
    [InlineData("error", CallDispositionKind.Error, null)]
    [InlineData("transfer:sales", CallDispositionKind.Transfer, "sales")]
    [InlineData("transfer:support-2.eu_west", CallDispositionKind.Transfer, "support-2.eu_west")]
    public void The_wire_text_parses_and_prints_back_unchanged(string text, CallDispositionKind kind, string? destination)
    {
        Assert.True(CallDisposition.TryParse(text, out var disposition));

        Assert.Equal((kind, destination), (disposition.Kind, disposition.Destination));
        Assert.Equal(text, disposition.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("HANGUP")]
    [InlineData("hangup\n")]
    [InlineData("transfer")]
    [InlineData("transfer:")]
    [InlineData("transfer:PJSIP/1000")]
    [InlineData("transfer:sales desk")]
    [InlineData("transfer:sales,1")]
    [InlineData("transfer:${EVIL}")]
    public void Anything_else_is_rejected_so_no_dial_string_reaches_the_dialplan(string? text)
    {
        Assert.False(CallDisposition.TryParse(text, out _));
    }

    [Fact]
    public void A_destination_name_is_at_most_64_characters()
    {
        Assert.True(CallDisposition.TryParse("transfer:" + new string('a', 64), out _));
        Assert.False(CallDisposition.TryParse("transfer:" + new string('a', 65), out _));
        Assert.Throws<ArgumentException>(() => CallDisposition.TransferTo("PJSIP/1000"));
    }

    [Theory]
    [InlineData(CallEndReason.CallerHangup, "hangup")]
    [InlineData(CallEndReason.AgentHangup, "hangup")]
    [InlineData(CallEndReason.IdleTimeout, "hangup")]
    [InlineData(CallEndReason.ProtocolError, "error")]
    [InlineData(CallEndReason.ProviderError, "error")]
    [InlineData(CallEndReason.Shutdown, "reconnect")]
    [InlineData(CallEndReason.GatewayLost, "reconnect")]
    public void Each_end_reason_maps_to_the_disposition_in_docs_api(CallEndReason reason, string expected)
    {
        Assert.Equal(expected, CallDisposition.ForEndReason(reason).ToString());
    }
}
