using System.Text;

namespace AiAgent.CallSim.Dialplan;

/// <summary>
/// Splits substituted arguments as AST_STANDARD_APP_ARGS does: on commas outside parentheses and double quotes,
/// removing the quotes and the backslash of an escape. Substitution happens first, so a comma inside a variable's
/// value splits too, exactly as in Asterisk.
/// </summary>
public static class ApplicationArguments
{
    /// <summary>
    /// The arguments; empty text is one empty argument. With <paramref name="max"/>, the last argument takes the rest
    /// of the text, commas included, as an application declaring that many arguments gets it.
    /// </summary>
    public static IReadOnlyList<string> Split(string text, int max = int.MaxValue)
    {
        var parts = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                current.Append(text[++i]);
            }
            else if (c == '"')
            {
                quoted = !quoted;
            }
            else if (quoted)
            {
                current.Append(c);
            }
            else if (c == ',' && depth == 0 && parts.Count < max - 1)
            {
                parts.Add(current.ToString());
                current.Clear();
            }
            else
            {
                depth += c == '(' ? 1 : c == ')' && depth > 0 ? -1 : 0;
                current.Append(c);
            }
        }

        parts.Add(current.ToString());
        return parts;
    }
}
