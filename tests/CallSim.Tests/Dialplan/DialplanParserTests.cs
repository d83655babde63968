using AiAgent.CallSim.Dialplan;
using Plan = AiAgent.CallSim.Dialplan.Dialplan;

namespace AiAgent.CallSim.Tests.Dialplan;

public sealed class DialplanParserTests
{
    private const string Sample = """
        [general]
        static=yes

        [globals]
        GATEWAY=gw:8090

        [in] ; a comment
        exten => 100,1,Answer()
         same => n,Set(CALLID=${UUID()})          ; trailing comment
         same => n(connect),AudioSocket(${CALLID},${GATEWAY})
         same => n,Verbose(1,semi\;colon)
         same => n(done),Hangup
        exten = _1XX,1,NoOp(pattern)
        exten => 200,5,NoOp(five)
         same => n,NoOp(six)
        """;

    [Fact]
    public void Reads_contexts_extensions_priorities_labels_and_globals()
    {
        var plan = Plan.Parse(Sample);

        Assert.Equal("gw:8090", plan.Globals["GATEWAY"]);
        var context = plan.Find("in")!;
        var hundred = context.Match("100")!;
        Assert.Equal([1, 2, 3, 4, 5], hundred.Priorities.Select(p => p.Number));
        Assert.Equal(3, hundred.FindLabel("connect"));
        Assert.Equal(5, hundred.FindLabel("done"));
        var set = hundred.Find(2)!;
        Assert.Equal(("Set", "CALLID=${UUID()}"), (set.Application, set.Arguments));
        Assert.Equal("1,semi;colon", hundred.Find(4)!.Arguments);
        Assert.Equal(("Hangup", ""), (hundred.Find(5)!.Application, hundred.Find(5)!.Arguments));
        Assert.Equal([5, 6], context.Match("200")!.Priorities.Select(p => p.Number));
        Assert.Equal("_1XX", context.Match("123")!.Name);
        Assert.Null(context.Match("1234"));
        Assert.Null(plan.Find("general"));
    }

    [Theory]
    [InlineData("exten => 1,1,NoOp()", "comes before any [context]")]
    [InlineData("[c]\nsame => n,NoOp()", "needs an exten line")]
    [InlineData("[c]\nexten => 1,1,NoOp()\nexten => 1,1,NoOp()", "already has priority 1")]
    [InlineData("[c]\nexten => 1,1(a),NoOp()\n same => n(a),NoOp()", "already has a priority labelled 'a'")]
    [InlineData("[c]\nexten => 1,x,NoOp()", "priority 'x' is not a number")]
    [InlineData("[c]\nexten => 1,0,NoOp()", "priority '0' is not a number")]
    [InlineData("[c]\nexten => 1,1,NoOp(open", "is not App(arguments)")]
    [InlineData("[c]\ninclude => other", "'include' is not supported")]
    [InlineData("[c\nexten => 1,1,NoOp()", "is not a [context] header")]
    [InlineData("[c]\nexten => 1", "exten needs")]
    public void Rejects_what_it_does_not_cover_naming_the_line(string text, string message)
    {
        var error = Assert.Throws<DialplanException>(() => Plan.Parse(text));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("line ", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("_X.", "1", false)] // '.' is one or more
    [InlineData("_X.", "10", true)]
    [InlineData("_X.", "12345", true)]
    [InlineData("_X.", "", false)]
    [InlineData("_X!", "1", true)]
    [InlineData("_NXX", "200", true)]
    [InlineData("_NXX", "100", false)]
    [InlineData("_Z", "0", false)]
    [InlineData("_[1-3]0", "20", true)]
    [InlineData("_[13]0", "20", false)]
    [InlineData("_sal.", "sales", true)]
    [InlineData("100", "100", false)] // not a pattern: exact matching is the context's job
    public void Matches_extension_patterns(string pattern, string extension, bool expected) =>
        Assert.Equal(expected, ExtensionPattern.Matches(pattern, extension));

    [Theory]
    [InlineData("22", 22, 0, 0)]
    [InlineData("22.4", 22, 4, 0)]
    [InlineData("20.14.1", 20, 14, 1)]
    public void Parses_versions(string text, int major, int minor, int patch)
    {
        Assert.True(AsteriskVersion.TryParse(text, out var version));
        Assert.Equal(new AsteriskVersion(major, minor, patch), version);
    }

    [Theory]
    [InlineData("18.20.0", false, false)]
    [InlineData("19.8.0", false, false)]
    [InlineData("20.13.0", false, false)]
    [InlineData("20.14.0", true, false)]
    [InlineData("20.17.0", true, true)]
    [InlineData("21.8.0", false, false)]
    [InlineData("21.9.0", true, false)]
    [InlineData("21.12.0", true, true)]
    [InlineData("22.3.0", false, false)]
    [InlineData("22.4.0", true, false)]
    [InlineData("22.7.0", true, true)]
    [InlineData("23.0.0", true, false)]
    [InlineData("23.1.0", true, true)]
    [InlineData("24.0.0", true, true)]
    public void Knows_which_versions_continue_and_label_rates(string text, bool continues, bool labels)
    {
        Assert.True(AsteriskVersion.TryParse(text, out var version));
        Assert.Equal((continues, labels), (version.ContinuesAfterServerHangup, version.LabelsRates));
    }
}
