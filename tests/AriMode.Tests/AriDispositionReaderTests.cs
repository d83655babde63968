using AiAgent.Grains.Asterisk;

namespace AiAgent.AriMode.Tests;

public sealed class AriDispositionReaderTests
{
    [Theory]
    [InlineData("hangup", "hangup", null)]
    [InlineData("transfer:sales", "transfer", "sales")]
    [InlineData("reconnect", "reconnect", null)]
    [InlineData("error", "error", null)]
    [InlineData("transfer:", "error", null)]
    [InlineData("bogus", "error", null)]
    [InlineData(null, "error", null)]
    public void A_disposition_text_maps_to_its_action(string? text, string kind, string? destination)
    {
        var action = AriDispositionReader.Parse(text);
        Assert.Equal(kind, action.Kind);
        Assert.Equal(destination, action.Destination);
    }
}
