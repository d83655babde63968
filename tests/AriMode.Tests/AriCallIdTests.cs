using AiAgent.Grains.Asterisk;

namespace AiAgent.AriMode.Tests;

public sealed class AriCallIdTests
{
    [Fact]
    public void The_same_caller_on_the_same_endpoint_gets_the_same_version_5_id()
    {
        var a = AriCallId.For("http://pbx:8088/ari|aiagent", "1796186398.9");
        var b = AriCallId.For("http://pbx:8088/ari|aiagent", "1796186398.9");
        Assert.Equal(a, b);
        Assert.Equal(5, a.Version);
        Assert.NotEqual(a, AriCallId.For("http://pbx:8088/ari|aiagent", "1796186398.10"));
        Assert.NotEqual(a, AriCallId.For("http://other:8088/ari|aiagent", "1796186398.9"));
    }

    [Fact]
    public void A_media_leg_carries_its_call_id_in_the_variable_or_the_name()
    {
        var id = Guid.NewGuid();
        Assert.Equal(id, AriCallId.OfMediaLeg($"AudioSocket/127.0.0.1:8090-{id}", null));
        Assert.Equal(id, AriCallId.OfMediaLeg("AudioSocket/127.0.0.1:8090-garbage", id.ToString()));
        Assert.Null(AriCallId.OfMediaLeg($"PJSIP/1000-{id}", null));
        Assert.Null(AriCallId.OfMediaLeg("AudioSocket/127.0.0.1:8090-x", null));
    }
}
