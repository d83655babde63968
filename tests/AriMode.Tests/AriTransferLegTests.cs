using AiAgent.Grains.Asterisk;

namespace AiAgent.AriMode.Tests;

public sealed class AriTransferLegTests
{
    private static readonly Guid CallId = new("0b6f6c57-51f2-5a0e-9d1e-4a8f3c2b1d00");

    [Fact]
    public void A_transfer_leg_channel_id_names_its_call_and_fits_asterisks_limit()
    {
        var id = AriTransferLeg.ChannelId(CallId, 3);

        Assert.Equal("aiagent-transfer-0b6f6c57-51f2-5a0e-9d1e-4a8f3c2b1d00-3", id);
        Assert.Equal(CallId, AriTransferLeg.CallIdOf(id));
        Assert.InRange(id.Length, 1, 149);
        Assert.Equal(CallId, AriTransferLeg.CallIdOfArgs(AriTransferLeg.AppArgs(CallId).Split(',')));
    }

    [Theory]
    [InlineData("1796186398.9")]
    [InlineData("aiagent-transfer-0b6f6c57-51f2-5a0e-9d1e-4a8f3c2b1d00")]
    [InlineData("aiagent-transfer-0b6f6c57-51f2-5a0e-9d1e-4a8f3c2b1d00-x")]
    [InlineData("aiagent-transfer-not-a-uuid-at-all-not-a-uuid-at-all-1")]
    [InlineData("")]
    public void Any_other_channel_id_is_not_a_transfer_leg(string channelId) => Assert.Null(AriTransferLeg.CallIdOf(channelId));

    [Fact]
    public void Other_stasis_args_are_not_a_transfer_leg()
    {
        Assert.Null(AriTransferLeg.CallIdOfArgs(["arg1"]));
        Assert.Null(AriTransferLeg.CallIdOfArgs([CallId.ToString("D")])); // an external-media leg's args
        Assert.Null(AriTransferLeg.CallIdOfArgs([AriTransferLeg.ArgsMarker, "nope"]));
    }
}
