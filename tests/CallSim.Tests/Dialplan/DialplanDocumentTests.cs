using AiAgent.CallSim.Dialplan;
using Plan = AiAgent.CallSim.Dialplan.Dialplan;

namespace AiAgent.CallSim.Tests.Dialplan;

public sealed class DialplanDocumentTests
{
    [Fact]
    public void Finds_marked_blocks_only()
    {
        const string markdown = """
            # Doc

            ```asterisk
            [unmarked]
            ```

            <!-- tested: first -->

            ```asterisk
            [one]
            exten => 1,1,NoOp()
            ```

            <!-- tested: second -->
            ```asterisk
            [two]
            ```
            """;

        var blocks = DialplanDocument.TestedBlocks(markdown);

        Assert.Equal(["first", "second"], blocks.Keys);
        Assert.Equal("[one]\nexten => 1,1,NoOp()\n", blocks["first"]);
        Assert.Equal("[two]\n", DialplanDocument.TestedBlock(markdown, "second"));
    }

    [Theory]
    [InlineData("<!-- tested: a -->\ntext\n```asterisk\n```", "not followed by a ```asterisk block")]
    [InlineData("<!-- tested: a -->\n```ini\n```", "not followed by a ```asterisk block")]
    [InlineData("<!-- tested: a -->\n```asterisk\n[c]", "is not closed")]
    [InlineData("<!-- tested:  -->\n```asterisk\n```", "needs a name")]
    [InlineData("<!-- tested: a -->\n```asterisk\n```\n<!-- tested: a -->\n```asterisk\n```", "two blocks are named 'a'")]
    public void Rejects_broken_markers(string markdown, string message)
    {
        var error = Assert.Throws<DialplanException>(() => DialplanDocument.TestedBlocks(markdown));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_block_is_an_error_listing_those_present()
    {
        var error = Assert.Throws<DialplanException>(() => DialplanDocument.TestedBlock("<!-- tested: x -->\n```asterisk\n```", "y"));
        Assert.Contains("(marked: x)", error.Message, StringComparison.Ordinal);
    }

    /// <summary>docs/asterisk.md holds the blocks the end-to-end tests run, and each parses on its own and together.</summary>
    [Fact]
    public void The_admin_guide_has_its_tested_dialplans()
    {
        var blocks = DialplanDocument.TestedBlocks(File.ReadAllText(AdminGuide.Path));

        Assert.Subset(blocks.Keys.ToHashSet(), AdminGuide.Blocks.ToHashSet());
        var all = Plan.Parse(string.Join("\n", blocks.Values));
        Assert.NotNull(all.Find("aiagent-inbound")?.Match("100")?.FindLabel("connect"));
        Assert.NotNull(all.Find("aiagent-inbound")?.Match("101")?.FindLabel("connect"));
        Assert.NotNull(all.Find("aiagent-inbound")?.Match("103")?.FindLabel("connect"));
        Assert.NotNull(all.Find("aiagent-transfer")?.Match("sales"));
        foreach (var line in blocks.Values.SelectMany(static b => b.Split('\n')))
        {
            // The comments may warn about ${UUID}; no dialplan line may use it.
            Assert.DoesNotContain("${UUID}", DialplanParser.StripComment(line), StringComparison.Ordinal);
        }
    }
}

/// <summary>Where docs/asterisk.md is, and the blocks it must mark.</summary>
internal static class AdminGuide
{
    public static readonly string[] Blocks = ["app-disposition", "dial-disposition", "reconnect-loop", "transfer-destinations"];

    public static string Path
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                var path = System.IO.Path.Combine(dir.FullName, "docs", "asterisk.md");
                if (File.Exists(path) && File.Exists(System.IO.Path.Combine(dir.FullName, "AiAgent.Orleans.sln")))
                {
                    return path;
                }
            }

            throw new FileNotFoundException("docs/asterisk.md above the test binaries");
        }
    }
}
