using System.Text;

namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// The tested dialplans of a Markdown document: each is a fenced <c>```asterisk</c> block directly preceded by an
/// HTML comment <c>&lt;!-- tested: NAME --&gt;</c> (blank lines between are allowed). docs/asterisk.md marks its
/// dialplans so; the tests run exactly that text.
/// </summary>
public static class DialplanDocument
{
    private const string Marker = "<!-- tested:";

    /// <summary>The marked blocks by name, in document order.</summary>
    /// <exception cref="DialplanException">A marker without its block, or a name used twice.</exception>
    public static IReadOnlyDictionary<string, string> TestedBlocks(string markdown)
    {
        var blocks = new Dictionary<string, string>(StringComparer.Ordinal);
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith(Marker, StringComparison.Ordinal))
            {
                continue;
            }

            var end = line.IndexOf("-->", StringComparison.Ordinal);
            var name = end < 0 ? "" : line[Marker.Length..end].Trim();
            if (name.Length == 0)
            {
                throw new DialplanException($"line {i + 1}: a tested marker needs a name: <!-- tested: NAME -->");
            }

            var fence = i + 1;
            while (fence < lines.Length && lines[fence].Trim().Length == 0)
            {
                fence++;
            }

            if (fence >= lines.Length || lines[fence].Trim() != "```asterisk")
            {
                throw new DialplanException($"line {i + 1}: marker '{name}' is not followed by a ```asterisk block");
            }

            var body = new StringBuilder();
            var j = fence + 1;
            for (; j < lines.Length && lines[j].Trim() != "```"; j++)
            {
                body.Append(lines[j]).Append('\n');
            }

            if (j >= lines.Length)
            {
                throw new DialplanException($"line {fence + 1}: block '{name}' is not closed");
            }

            if (!blocks.TryAdd(name, body.ToString()))
            {
                throw new DialplanException($"line {i + 1}: two blocks are named '{name}'");
            }

            i = j;
        }

        return blocks;
    }

    /// <summary>One marked block; a missing one is an error listing those present.</summary>
    public static string TestedBlock(string markdown, string name)
    {
        var blocks = TestedBlocks(markdown);
        return blocks.TryGetValue(name, out var block)
            ? block
            : throw new DialplanException(
                $"no block marked '<!-- tested: {name} -->' (marked: {(blocks.Count == 0 ? "none" : string.Join(", ", blocks.Keys))})");
    }
}
